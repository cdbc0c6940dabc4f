// Package ledc is gohal's driver for the ESP32-C3's LED PWM controller (LEDC) in low-speed
// mode, the only mode the C3 has: four timers that set a PWM frequency and duty resolution,
// and six channels, each bound to a timer and a pin, whose duty is set in steps or percent
// or faded by the hardware (duty_start, duty_inc, duty_num, duty_cycle, duty_scale).
//
//	p, _ := hal.Init(hal.Config{})
//	tm, err := ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 50, Resolution: 14})
//	ch, err := ledc.NewChannel(p.LEDC0, tm, p.GPIO5, ledc.ChannelConfig{Duty: tm.DutyFor(1500 * time.Microsecond)})
//	err = ch.SetDutyPercent(10)
//	err = ch.Fade(tm.DutyFor(2*time.Millisecond), time.Second) // blocking: start, wait for the end
//	ac := ch.IntoAsync()                                       // ch is consumed
//	err = ac.AwaitFade(t, 0, 500*time.Millisecond)             // from a straight-line task: allocates nothing
//
// # Timers and clocks
//
// A timer counts 2^Resolution steps per PWM period, at the LEDC clock divided by a
// fractional divider: CLK_DIV is 18 bits, a 10.8 fixed-point number (10 integer bits, 8
// fraction bits), from 1.0 (256) to 1023.996 (0x3FFFF), as ESP-IDF's
// LEDC_TIMER_DIV_NUM_MAX. So
//
//	Frequency = clock × 256 / (CLK_DIV × 2^Resolution)
//
// with Resolution 1..14 bits (the C3's timers count 14 bits). NewTimer computes CLK_DIV
// with ESP-IDF's rounding and refuses a (Frequency, Resolution) pair whose divider falls
// outside that range with a *FrequencyError naming the nearest reachable pair: the same
// frequency at the highest (or lowest) resolution that reaches it, else the frequency
// nearest to the request, and in the message also the nearest frequency at the requested
// resolution. The LEDC clock (CONF.APB_CLK_SEL) is one for all four timers: APB 80 MHz (the
// default), XTAL 40 MHz or RC_FAST (about 17.5 MHz); a timer asking for another clock than
// an open timer uses is a *ConfigError naming it. TimerConfig.Clock picks it.
//
// The sequences are esp-hal's (ledc/timer.rs, ledc/channel.rs): the timer's CONF gets
// DUTY_RES, CLK_DIV, PAUSE = 0, RST = 0, TICK_SEL = 0, then PARA_UP; a channel's HPOINT is 0,
// its CONF0 gets TIMER_SEL and SIG_OUT_EN, its DUTY the duty in steps shifted left by 4 (4
// fraction bits), its CONF1 {DUTY_START, DUTY_INC, DUTY_NUM = 1, DUTY_CYCLE = 1,
// DUTY_SCALE = 0} for a plain duty change, then CONF0.PARA_UP, which makes the new duty
// take effect at the timer's next overflow (the start of the next PWM period). The pin is
// routed to the channel's output signal LEDC_LS_SIG_OUTn (GPIO matrix signal 45 + n).
//
// # Fades
//
// StartFade(to, d) fades the duty from its current value to `to` in about d: the hardware
// changes the duty by DUTY_SCALE steps every DUTY_CYCLE periods, DUTY_NUM times, and raises
// DUTY_CHNG_END for the channel at the end. The driver picks DUTY_NUM = min(|Δ|, periods,
// 1023), DUTY_CYCLE = periods / DUTY_NUM (rounded) and DUTY_SCALE = |Δ| / DUTY_NUM, and starts
// the fade at `to` ∓ DUTY_NUM × DUTY_SCALE, so it ends on `to` exactly (the start moves by
// less than one step). Each field is 10 bits: a fade that needs a step above 1023 (too short)
// or a cycle above 1023 periods (too long) is a *ConfigError naming the shortest or longest
// fade the channel can do. Fades take whole PWM periods: at 50 Hz a fade lasts a multiple
// of 20 ms.
//
// # Blocking and async
//
// Channels are Blocking when constructed: WaitFade (and Fade) poll INT_RAW.DUTY_CHNG_END
// for at most the fade's own length plus ChannelConfig.Timeout and return ErrTimeout
// otherwise (a paused timer never ends a fade). IntoAsync binds the LEDC interrupt (one
// source for the six channels) at ChannelConfig.Priority and returns an AsyncChannel, which
// keeps the blocking methods and adds FadeAsync / WaitFadeAsync futures and the typed await
// AwaitFade, whose future lives in the driver so an await allocates nothing. The futures
// use hal/internal/irqevent: DUTY_CHNG_END is armed on the channel's lane (three blocks of
// two lanes share LEDC's INT registers), the handler disables what fired and wakes the
// task. One wait per channel at a time: a second polled while one is pending panics,
// naming both. A consumed driver panics when used.
package ledc

import (
	"errors"
	"math/bits"
	"time"

	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/ledc"
	"github.com/gohal/gohal/rt"
)

// Clock is the LEDC clock all four timers count from (CONF.APB_CLK_SEL).
type Clock uint8

const (
	// ClockAPB is the 80 MHz APB clock (APB_CLK_SEL = 1), esp-hal's choice and the default.
	ClockAPB Clock = iota
	// ClockXTAL is the 40 MHz crystal (APB_CLK_SEL = 3).
	ClockXTAL
	// ClockRCFast is the internal RC oscillator, about 17.5 MHz (APB_CLK_SEL = 2); it is not
	// trimmed, so frequencies from it are nominal.
	ClockRCFast
)

// Hz returns the clock's frequency.
func (c Clock) Hz() uint32 {
	switch c {
	case ClockXTAL:
		return 40_000_000
	case ClockRCFast:
		return 17_500_000
	}
	return 80_000_000
}

// String names the clock: "APB (80 MHz)".
func (c Clock) String() string {
	switch c {
	case ClockXTAL:
		return "XTAL (40 MHz)"
	case ClockRCFast:
		return "RC_FAST (17.5 MHz)"
	}
	return "APB (80 MHz)"
}

func (c Clock) sel() uint32 {
	switch c {
	case ClockXTAL:
		return 3
	case ClockRCFast:
		return 2
	}
	return 1
}

// Limits of the C3's low-speed timers.
const (
	// MaxResolution is the widest duty resolution: the timers count 14 bits.
	MaxResolution = 14
	// divMin and divMax bound CLK_DIV, a 10.8 fixed-point divider: 1.0 .. 1023.996.
	divMin = 256
	divMax = 0x3FFFF
	// maxFadeField is the largest DUTY_NUM, DUTY_CYCLE and DUTY_SCALE (10 bits each).
	maxFadeField = 1023
)

// DefaultTimeout is ChannelConfig.Timeout when left 0: the slack a blocking fade wait allows
// beyond the fade's own length.
const DefaultTimeout = 10 * time.Millisecond

// DefaultPriority is the LEDC interrupt's priority when ChannelConfig.Priority is 0.
const DefaultPriority rt.Priority = 1

// Errors.
var (
	// ErrTimeout: a fade did not end within its own length plus ChannelConfig.Timeout.
	ErrTimeout = errors.New("ledc: timed out waiting for the end of a duty change (DUTY_CHNG_END)")
)

// ConfigError is a configuration or argument the driver refuses, naming the timer or
// channel and the problem.
type ConfigError struct {
	Resource string // "LEDC_TIMER0", "LEDC3"
	Problem  string
}

// Error says what is wrong: "ledc: LEDC0: duty 20000 is above the timer's 16384 (14 bits)".
func (e *ConfigError) Error() string { return "ledc: " + e.Resource + ": " + e.Problem }

// FrequencyError is a (Frequency, Resolution) pair a timer cannot reach from its clock. It
// names the nearest pair it can: Nearest* keep the frequency when any resolution reaches
// it (else the closest frequency at the nearest resolution), Alt* keep the resolution.
type FrequencyError struct {
	Timer      int
	Clock      Clock
	Frequency  uint32
	Resolution uint8
	// Div100 is the divider the pair would need, × 100 (the timer divides by 1 to 1023.996).
	Div100 uint64

	NearestFrequency  uint32
	NearestResolution uint8
	AltFrequency      uint32
	AltResolution     uint8
}

// Error names the request, why it fails and the nearest reachable pairs.
func (e *FrequencyError) Error() string {
	s := "ledc: " + periph.Name(periph.KindLEDCTimer, e.Timer) + ": " + itoa.Itoa(int(e.Frequency)) + " Hz at " +
		itoa.Itoa(int(e.Resolution)) + " bits is not reachable from " + e.Clock.String() + ": the divider would be " +
		itoa.Itoa(int(e.Div100/100)) + "." + twoDigits(e.Div100%100) + ", and the timer divides by 1 to 1023.996; the nearest reachable is " +
		itoa.Itoa(int(e.NearestFrequency)) + " Hz at " + itoa.Itoa(int(e.NearestResolution)) + " bits"
	if e.AltResolution != e.NearestResolution || e.AltFrequency != e.NearestFrequency {
		s += " (or " + itoa.Itoa(int(e.AltFrequency)) + " Hz at " + itoa.Itoa(int(e.AltResolution)) + " bits)"
	}
	return s
}

func twoDigits(v uint64) string {
	if v < 10 {
		return "0" + itoa.Itoa(int(v))
	}
	return itoa.Itoa(int(v))
}

// divider returns CLK_DIV for f at res bits from a clock of src Hz, rounded as ESP-IDF's
// ledc_calculate_divisor: (src << 8 + den/2) / den with den = f << res.
func divider(src uint64, f uint32, res uint8) uint64 {
	den := uint64(f) << res
	return (src<<8 + den/2) / den
}

func fits(d uint64) bool { return d >= divMin && d <= divMax }

// maxFreq is the highest frequency at res bits (CLK_DIV = 1.0).
func maxFreq(src uint64, res uint8) uint32 {
	f := uint32(src >> res)
	for f > 1 && !fits(divider(src, f, res)) {
		f--
	}
	return f
}

// minFreq is the lowest frequency at res bits (CLK_DIV = 1023.996), 0 if none.
func minFreq(src uint64, res uint8) uint32 {
	f := uint32((src<<8)/(uint64(divMax)<<res)) + 1
	for f > 1 && fits(divider(src, f-1, res)) {
		f--
	}
	for !fits(divider(src, f, res)) {
		f++
		if uint64(f) > src {
			return 0
		}
	}
	return f
}

// checkTimer validates cfg for timer n and returns CLK_DIV.
func checkTimer(n int, cfg TimerConfig) (uint32, error) {
	name := periph.Name(periph.KindLEDCTimer, n)
	if cfg.Resolution < 1 || cfg.Resolution > MaxResolution {
		return 0, &ConfigError{name, "Resolution " + itoa.Itoa(int(cfg.Resolution)) + " is not 1..14 bits (the C3's LEDC timers count 14 bits)"}
	}
	if cfg.Clock > ClockRCFast {
		return 0, &ConfigError{name, "no such clock (ClockAPB, ClockXTAL or ClockRCFast)"}
	}
	if cfg.Frequency == 0 {
		return 0, &ConfigError{name, "Frequency must be at least 1 Hz"}
	}
	src := uint64(cfg.Clock.Hz())
	d := divider(src, cfg.Frequency, cfg.Resolution)
	if fits(d) {
		return uint32(d), nil
	}
	e := &FrequencyError{Timer: n, Clock: cfg.Clock, Frequency: cfg.Frequency, Resolution: cfg.Resolution,
		Div100: src * 100 / (uint64(cfg.Frequency) << cfg.Resolution)}
	if d < divMin { // too fast for the resolution
		e.AltFrequency, e.AltResolution = maxFreq(src, cfg.Resolution), cfg.Resolution
		e.NearestFrequency, e.NearestResolution = maxFreq(src, 1), 1
		for r := cfg.Resolution - 1; r >= 1; r-- {
			if fits(divider(src, cfg.Frequency, r)) {
				e.NearestFrequency, e.NearestResolution = cfg.Frequency, r
				break
			}
		}
	} else { // too slow for the resolution
		e.AltFrequency, e.AltResolution = minFreq(src, cfg.Resolution), cfg.Resolution
		e.NearestFrequency, e.NearestResolution = minFreq(src, MaxResolution), MaxResolution
		for r := cfg.Resolution + 1; r <= MaxResolution; r++ {
			if fits(divider(src, cfg.Frequency, r)) {
				e.NearestFrequency, e.NearestResolution = cfg.Frequency, r
				break
			}
		}
	}
	return 0, e
}

// TimerConfig configures a timer.
type TimerConfig struct {
	// Frequency is the PWM frequency in Hz.
	Frequency uint32
	// Resolution is the duty resolution in bits, 1..14: a period has 2^Resolution steps.
	Resolution uint8
	// Clock is the LEDC clock (ClockAPB when 0); all open timers share one.
	Clock Clock
}

// regs is the LEDC's register block.
var regs = esp32c3.LEDC

// clockOf returns the clock CONF.APB_CLK_SEL selects.
func clockOf(sel uint32) Clock {
	switch sel {
	case 3:
		return ClockXTAL
	case 2:
		return ClockRCFast
	}
	return ClockAPB
}

// power sets the LEDC clock up for timer n: the first open timer switches the LEDC on (its
// SYSTEM clock and reset, CONF.APB_CLK_SEL and CLK_EN); later ones must use the clock it
// chose. The open timers are the ones the ownership registry says are claimed.
func power(n int, c Clock) error {
	others := false
	for i := 0; i < periph.NumLEDCTimers; i++ {
		if i != n && periph.Owner(periph.KindLEDCTimer, i) != "" {
			others = true
		}
	}
	if others {
		if cur := clockOf(regs.CONF.Read().APB_CLK_SEL()); cur != c {
			return &ConfigError{periph.Name(periph.KindLEDCTimer, n), "the LEDC clock is " + cur.String() +
				", which the open timers share; " + c.String() + " cannot be used until they are closed"}
		}
		return nil
	}
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	if !s.PERIP_CLK_EN0.Read().LEDC_CLK_EN() {
		s.PERIP_CLK_EN0.Write(s.PERIP_CLK_EN0.Read().WithLEDC_CLK_EN(true))
		s.PERIP_RST_EN0.Write(s.PERIP_RST_EN0.Read().WithLEDC_RST(true))
	}
	s.PERIP_RST_EN0.Write(s.PERIP_RST_EN0.Read().WithLEDC_RST(false))
	cs.Exit()
	regs.CONF.Write(ledc.CONFValue(0).WithAPB_CLK_SEL(c.sel()).WithCLK_EN(true))
	return nil
}

// Timer is one of the LEDC's four low-speed timers, configured.
type Timer struct {
	n     uint8
	res   uint8
	clock Clock
	div   uint32
	users int // channels bound to it
	gone  bool
}

// NewTimer configures timer t for cfg and starts it.
func NewTimer(t periph.LEDCTimer, cfg TimerConfig) (*Timer, error) {
	n := t.Number()
	if n < 0 || n >= periph.NumLEDCTimers {
		return nil, periph.ErrNoSuchResource
	}
	div, err := checkTimer(n, cfg)
	if err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindLEDCTimer, n, "ledc.Timer"); err != nil {
		return nil, err
	}
	if err := power(n, cfg.Clock); err != nil {
		periph.Release(periph.KindLEDCTimer, n)
		return nil, err
	}
	tm := &Timer{n: uint8(n), res: cfg.Resolution, clock: cfg.Clock, div: div}
	r := &regs.LSTIMER[n].CONF
	r.Write(r.Read().WithLSTIMER_DUTY_RES(uint32(cfg.Resolution)).WithCLK_DIV_LSTIMER(div).
		WithLSTIMER_PAUSE(false).WithLSTIMER_RST(false).WithTICK_SEL_LSTIMER(false))
	r.Write(r.Read().WithLSTIMER_PARA_UP(true))
	return tm, nil
}

func (t *Timer) check() {
	if t.gone {
		panic("ledc: " + periph.Name(periph.KindLEDCTimer, int(t.n)) + " Timer used after Close")
	}
}

// Number returns the timer's number (0..3).
func (t *Timer) Number() int { t.check(); return int(t.n) }

// Resolution returns the duty resolution in bits.
func (t *Timer) Resolution() uint8 { t.check(); return t.res }

// MaxDuty returns the duty of a constantly high output: 2^Resolution steps.
func (t *Timer) MaxDuty() uint32 { t.check(); return 1 << t.res }

// Divider returns CLK_DIV, the 10.8 fixed-point divider (256 is 1.0).
func (t *Timer) Divider() uint32 { t.check(); return t.div }

// FrequencyMilliHz returns the PWM frequency the timer runs at, in mHz.
func (t *Timer) FrequencyMilliHz() uint64 {
	t.check()
	return uint64(t.clock.Hz()) * 256 * 1000 / (uint64(t.div) << t.res)
}

// Frequency returns the PWM frequency the timer runs at, rounded to the Hz.
func (t *Timer) Frequency() uint32 { return uint32((t.FrequencyMilliHz() + 500) / 1000) }

// Period returns the length of one PWM period.
func (t *Timer) Period() time.Duration {
	t.check()
	return time.Duration((uint64(t.div) << t.res) * uint64(time.Second) / (uint64(t.clock.Hz()) * 256))
}

// DutyFor returns the duty, in steps, of a pulse of width w (rounded, at most MaxDuty): for
// a servo at 50 Hz and 14 bits, DutyFor(1500 µs) is 1229.
func (t *Timer) DutyFor(w time.Duration) uint32 {
	t.check()
	if w <= 0 {
		return 0
	}
	// steps = w × clock × 256 / (CLK_DIV × 10⁹), in 128 bits.
	hi, lo := bits.Mul64(uint64(w), uint64(t.clock.Hz())*256)
	den := uint64(t.div) * uint64(time.Second)
	if hi >= den {
		return 1 << t.res
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den/2 {
		q++
	}
	if q > 1<<t.res {
		q = 1 << t.res
	}
	return uint32(q)
}

// Close stops the timer (RST) and releases it. Its channels must be closed first: closing
// a timer that channels still use panics.
func (t *Timer) Close() {
	t.check()
	if t.users > 0 {
		panic("ledc: " + periph.Name(periph.KindLEDCTimer, int(t.n)) + " closed while " + itoa.Itoa(t.users) + " channel(s) use it: close them first")
	}
	t.gone = true
	r := &regs.LSTIMER[t.n].CONF
	r.Write(r.Read().WithLSTIMER_RST(true).WithLSTIMER_PAUSE(true))
	r.Write(r.Read().WithLSTIMER_PARA_UP(true))
	periph.Release(periph.KindLEDCTimer, int(t.n))
}

// deadline is a point on SYSTIMER's 16 MHz counter, for the blocking waits.
type deadline struct{ end uint64 }

func after(d time.Duration) deadline {
	return deadline{end: systimer.Ticks() + uint64(d.Nanoseconds())*systimer.TicksPerMicrosecond/1000 + 1}
}

func (d deadline) passed() bool { return systimer.Ticks() >= d.end }
