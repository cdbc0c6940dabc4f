// Package adc is gohal's driver for the ESP32-C3's SAR ADC1 in one-shot mode: channels on
// GPIO0..GPIO4, four attenuations, raw 12-bit readings with a timeout, and millivolts from
// the calibration burnt into the chip's eFuse, computed as esp-hal's AdcCalLine does.
//
//	p, _ := hal.Init(hal.Config{})
//	a, err := adc.New(p.ADC1, adc.Config{})
//	pot, err := a.Enable(p.GPIO2, adc.Atten11dB) // channel 2, about 0..2.5 V; GPIO2 is taken
//	raw, err := a.ReadRaw(pot)                   // blocking, 0..4095
//	mv, err := a.ReadMillivolts(pot)             // calibrated
//	aa := a.IntoAsync()                          // a is consumed; pot stays valid
//	mv, err = aa.AwaitMillivolts(t, pot)         // from a straight-line task: allocates nothing
//
// # Conversions
//
// A reading is esp-hal's read_oneshot for ADC1 (analog/adc/riscv.rs): the channel's init
// code is written to the SAR (see Calibration), ONETIME_SAMPLE gets SARADC1_ONETIME_SAMPLE,
// the channel and the attenuation, then ONETIME_START; the conversion is done when
// INT_RAW.APB_SARADC1_DONE is set; the result is SAR1DATA_STATUS & 0xFFF; then INT_CLR and
// ONETIME_START = 0. New is esp-hal's Adc::new: the APB_SARADC clock on (SYSTEM), CTRL
// {START_FORCE, START, SAR_CLK_GATED, XPD_SAR_FORCE = 3}. Enable routes nothing: the pad is
// left as a disabled GPIO (no output, no pulls, input buffer off), as an analog pad should
// be.
//
// A blocking reading waits at most Config.Timeout (DefaultTimeout, 1 ms, a conversion takes
// tens of µs) and returns ErrTimeout otherwise. Enable takes the pin token and returns the
// channel (a *Channel) that readings name; enabling a pin that is not an ADC1 pin, or
// reading a channel that was disabled (or a nil one), is a *ChannelError saying so.
//
// # Attenuation and calibration
//
// The attenuation sets the input range: about 0..750 mV at 0 dB, 0..1050 mV at 2.5 dB,
// 0..1300 mV at 6 dB and 0..2500 mV at 11 dB (ESP-IDF's recommended ranges for the C3).
// A chip calibrated at the factory (eFuse BLOCK2 BLK_VERSION_MAJOR = 1) holds per
// attenuation an init code (ADC1_INIT_CODE_ATTENn + 1000: the reading at 0 V, which the
// SAR's offset trim takes) and a reference code (ADC1_CAL_VOL_ATTENn: 2000 plus or minus a
// 9-bit magnitude, bit 9 the sign, the reading at 400, 550, 750 or 1370 mV). ReadMillivolts
// fits a line through 0 and the reference point, as esp-hal's AdcCalLine:
//
//	gain = Vref << 16 / code;  mV = raw × gain >> 16
//
// On a chip without the calibration, Calibrated reports false and ReadMillivolts assumes
// the nominal reference code 2000 (esp-hal measures the internal reference instead; this
// driver does not).
//
// The init code reaches the SAR over the chip's internal analog I2C bus (regi2c, register
// ADC_SAR1_INITIAL_CODE of block 0x69), which esp-hal drives through the mask ROM's
// rom_i2c_writeReg_Mask. Under TinyGo 0.33 those ROM functions fault (see hal/rng), so
// on the chip the write is skipped for now, and on the simulator, which has no analog
// side, it does nothing; the simulator takes the trim as programmed.
//
// # Blocking and async
//
// An ADC is Blocking when constructed. IntoAsync binds the APB_ADC interrupt (source 43)
// at Config.Priority and returns an Async ADC, which keeps the blocking methods and adds
// ReadRawAsync / ReadMillivoltsAsync futures and the typed awaits AwaitRaw /
// AwaitMillivolts, whose future lives in the driver so an await allocates nothing. The
// futures use hal/internal/irqevent: APB_SARADC1_DONE is armed, the handler disables it and
// wakes the task. One conversion at a time: a second future polled while one is pending
// panics, naming both. A consumed driver panics when used.
package adc

import (
	"errors"
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/apb_saradc"
	"github.com/gohal/gohal/rt"
)

// Attenuation is an ADC channel's input attenuation (ONETIME_ATTEN).
type Attenuation uint8

const (
	// Atten0dB: about 0..750 mV.
	Atten0dB Attenuation = iota
	// Atten2p5dB: about 0..1050 mV.
	Atten2p5dB
	// Atten6dB: about 0..1300 mV.
	Atten6dB
	// Atten11dB: about 0..2500 mV.
	Atten11dB
)

// String names the attenuation: "11 dB".
func (a Attenuation) String() string {
	switch a {
	case Atten0dB:
		return "0 dB"
	case Atten2p5dB:
		return "2.5 dB"
	case Atten6dB:
		return "6 dB"
	case Atten11dB:
		return "11 dB"
	}
	return "?"
}

// ReferenceMillivolts is the eFuse reference voltage of each attenuation (ESP-IDF's
// esp_efuse_rtc_calib for the C3).
var ReferenceMillivolts = [4]uint16{400, 550, 750, 1370}

// Channels is the number of ADC1 channels with a pad: GPIO0..GPIO4.
const Channels = 5

// DefaultTimeout is Config.Timeout when left 0.
const DefaultTimeout = time.Millisecond

// DefaultPriority is the APB_ADC interrupt's priority when Config.Priority is 0.
const DefaultPriority rt.Priority = 1

// Source is APB_SARADC's interrupt source (APB_ADC).
const Source = rt.Source(esp32c3.IRQ_APB_ADC)

// Config configures the ADC.
type Config struct {
	// Timeout bounds each blocking conversion (0: DefaultTimeout).
	Timeout time.Duration
	// Priority is the APB_ADC interrupt's priority once IntoAsync binds it (0:
	// DefaultPriority).
	Priority rt.Priority
}

// Errors.
var (
	// ErrTimeout: a conversion did not end within Config.Timeout.
	ErrTimeout = errors.New("adc: ADC1: timed out waiting for a conversion (APB_SARADC1_DONE)")
)

// ConfigError is a configuration the driver refuses.
type ConfigError struct{ Problem string }

// Error says what is wrong: "adc: ...".
func (e *ConfigError) Error() string { return "adc: " + e.Problem }

// ChannelError is a reading or Enable on a pin that cannot be, or is not, an ADC1 channel.
type ChannelError struct {
	Pin     int
	Problem string
}

// Error names the pin and the problem: "adc: ADC1: GPIO3 (channel 3) is not enabled: ...".
func (e *ChannelError) Error() string {
	if e.Pin < 0 {
		return "adc: ADC1: " + e.Problem
	}
	return "adc: ADC1: " + periph.Name(periph.KindPin, e.Pin) + " " + e.Problem
}

var regs = esp32c3.APB_SARADC

// Interrupt bits.
const doneBit = 1 << 31 // APB_SARADC1_DONE

// events is APB_SARADC1_DONE's lane (hal/internal/irqevent).
var events = irqevent.Block{
	Regs:   irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW),
	Events: [irqevent.MaxLanes]uint32{doneBit},
}

func onInterrupt() { events.Handle() }

// channel is one enabled channel: its attenuation and its calibration.
type channel struct {
	enabled    bool
	atten      Attenuation
	calibrated bool
	initCode   uint16
	gain       uint32 // mV per code, 16.16 fixed point (esp-hal's GAIN_SCALE)
}

// state is ADC1's channels, shared by the driver values one New made.
type state struct {
	ch [Channels]channel
}

// handle is one driver value's claim on ADC1: consumed values panic.
type handle struct {
	kind    string
	gone    string
	prio    rt.Priority
	timeout time.Duration
	st      *state
	await   ReadFuture
}

func (h *handle) check() {
	if h.gone != "" {
		msg := "adc: ADC1 " + h.kind + " used after "
		if h.gone == "Close" {
			panic(msg + "Close")
		}
		panic(msg + h.gone + " consumed it")
	}
}

func (h *handle) consume(op, kind string) *handle {
	h.check()
	h.gone = op
	nh := *h
	nh.kind, nh.gone, nh.await = kind, "", ReadFuture{}
	return &nh
}

// New takes ADC1 and powers the SAR ADC's digital controller up.
func New(a periph.ADC, cfg Config) (*ADC, error) {
	if a.Number() != 1 {
		return nil, &ConfigError{"only ADC1 is supported (" + a.String() + " asked; the C3's ADC2 is not recommended by Espressif and not driven here)"}
	}
	if cfg.Priority > rt.MaxPriority {
		return nil, &ConfigError{"ADC1: interrupt priority must be 1..15 (0 for the default)"}
	}
	if err := periph.Claim(periph.KindADC, 1, "adc.ADC"); err != nil {
		return nil, err
	}
	h := &handle{kind: "ADC", prio: cfg.Priority, timeout: cfg.Timeout, st: &state{}}
	if h.prio == 0 {
		h.prio = DefaultPriority
	}
	if h.timeout <= 0 {
		h.timeout = DefaultTimeout
	}
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Write(s.PERIP_CLK_EN0.Read().WithAPB_SARADC_CLK_EN(true))
	s.PERIP_RST_EN0.Write(s.PERIP_RST_EN0.Read().WithAPB_SARADC_RST(false))
	cs.Exit()
	regs.CTRL.Write(regs.CTRL.Read().WithSARADC_START_FORCE(true).WithSARADC_START(true).
		WithSARADC_SAR_CLK_GATED(true).WithSARADC_XPD_SAR_FORCE(3))
	events.Disable(doneBit)
	reset()
	return &ADC{common{h}, h}, nil
}

// reset is esp-hal's reset(): INT_CLR.APB_SARADC1_DONE, ONETIME_START = 0.
func reset() {
	regs.INT_CLR.Write(apb_saradc.INT_CLRValue(doneBit))
	regs.ONETIME_SAMPLE.Write(regs.ONETIME_SAMPLE.Read().WithSARADC_ONETIME_START(false))
}

// ADC is ADC1, Blocking.
type ADC struct {
	common
	h *handle
}

// Async is ADC1 with conversions that can be awaited; it keeps the blocking methods.
type Async struct {
	common
	h *handle
}

// IntoAsync binds the APB_ADC interrupt on the current core at the configured priority
// and returns the ADC as an Async. a is consumed.
func (a *ADC) IntoAsync() *Async {
	h := a.h.consume("IntoAsync", "Async")
	events.Reset(0)
	reset()
	rt.Bind(Source, onInterrupt)
	rt.Enable(Source, h.prio)
	return &Async{common{h}, h}
}

// IntoBlocking unbinds the interrupt and returns the ADC as an ADC. a is consumed; a
// conversion in progress must not be polled again.
func (a *Async) IntoBlocking() *ADC {
	h := a.h.consume("IntoBlocking", "ADC")
	unbind()
	return &ADC{common{h}, h}
}

func unbind() {
	events.Reset(0)
	rt.Disable(Source)
	rt.Unbind(Source)
}

// Close releases the enabled channels' pins and ADC1.
func (a *ADC) Close() { closeHandle(a.h) }

// Close unbinds the interrupt, releases the enabled channels' pins and ADC1.
func (a *Async) Close() {
	closeHandle(a.h)
	unbind()
}

func closeHandle(h *handle) {
	h.check()
	h.gone = "Close"
	reset()
	for n := range h.st.ch {
		if h.st.ch[n].enabled {
			h.st.ch[n].enabled = false
			periph.Release(periph.KindPin, n)
		}
	}
	periph.Release(periph.KindADC, 1)
}

// Method set shared by ADC and Async.
type common struct{ h *handle }

var channelRoles = [Channels]string{"ADC1 channel 0", "ADC1 channel 1", "ADC1 channel 2", "ADC1 channel 3", "ADC1 channel 4"}

// Channel is an enabled ADC1 channel: what Enable returns and readings name.
type Channel struct {
	n  uint8
	st *state
}

// Number returns the channel number, which is also its GPIO number (0..4).
func (c *Channel) Number() int { return int(c.n) }

// Attenuation returns the channel's attenuation.
func (c *Channel) Attenuation() Attenuation { return c.st.ch[c.n].atten }

// Calibrated reports whether the channel has the eFuse calibration (else ReadMillivolts
// uses the nominal reference code).
func (c *Channel) Calibrated() bool { return c.st.ch[c.n].calibrated }

// Enable makes pin (GPIO0..GPIO4, channel = pin number) an ADC1 channel read at atten,
// taking the pin, reads the attenuation's calibration from eFuse and returns the channel.
func (c common) Enable(pin periph.Pin, atten Attenuation) (*Channel, error) {
	c.h.check()
	n := pin.Number()
	if n < 0 || n >= Channels {
		return nil, &ChannelError{n, "is not an ADC1 pin: ADC1's channels are GPIO0..GPIO4"}
	}
	if atten > Atten11dB {
		return nil, &ChannelError{n, "attenuation " + itoa.Itoa(int(atten)) + " does not exist: Atten0dB, Atten2p5dB, Atten6dB or Atten11dB"}
	}
	if err := periph.Claim(periph.KindPin, n, channelRoles[n]); err != nil {
		return nil, err
	}
	pinroute.Release(n)
	ch := &c.h.st.ch[n]
	*ch = channel{enabled: true, atten: atten}
	ch.initCode, ch.gain, ch.calibrated = calibration(atten)
	return &Channel{n: uint8(n), st: c.h.st}, nil
}

// Disable stops using ch's pin as a channel and releases it; reading ch afterwards is a
// *ChannelError.
func (c common) Disable(ch *Channel) {
	c.h.check()
	if ch == nil || ch.st != c.h.st || !ch.st.ch[ch.n].enabled {
		return
	}
	ch.st.ch[ch.n].enabled = false
	periph.Release(periph.KindPin, int(ch.n))
}

// channelOf validates a reading on ch and returns its channel number.
func channelOf(h *handle, ch *Channel) (int, error) {
	if ch == nil {
		return 0, &ChannelError{-1, "no channel (nil): Enable a pin and read the *Channel it returns"}
	}
	if ch.st != h.st || !h.st.ch[ch.n].enabled {
		return 0, &ChannelError{int(ch.n), "(channel " + itoa.Itoa(int(ch.n)) + ") is not enabled: Enable(GPIO" + itoa.Itoa(int(ch.n)) + ", attenuation) before reading it"}
	}
	return int(ch.n), nil
}

// ReadRaw converts ch once (blocking) and returns the 12-bit code.
func (c common) ReadRaw(ch *Channel) (uint16, error) {
	c.h.check()
	n, err := channelOf(c.h, ch)
	if err != nil {
		return 0, err
	}
	return convert(c.h, n)
}

// ReadMillivolts converts ch once (blocking) and returns the input voltage in mV, through
// the eFuse calibration.
func (c common) ReadMillivolts(ch *Channel) (uint16, error) {
	c.h.check()
	n, err := channelOf(c.h, ch)
	if err != nil {
		return 0, err
	}
	raw, err := convert(c.h, n)
	if err != nil {
		return 0, err
	}
	return millivolts(&c.h.st.ch[n], raw), nil
}

// millivolts is esp-hal's AdcCalLine::adc_val.
func millivolts(ch *channel, raw uint16) uint16 { return uint16(uint32(raw) * ch.gain >> 16) }

// begin starts a one-shot conversion of channel n.
func begin(h *handle, n int) {
	ch := &h.st.ch[n]
	setInitCode(ch.initCode)
	reset()
	v := regs.ONETIME_SAMPLE.Read().WithSARADC1_ONETIME_SAMPLE(true).WithSARADC2_ONETIME_SAMPLE(false).
		WithSARADC_ONETIME_CHANNEL(uint32(n)).WithSARADC_ONETIME_ATTEN(uint32(ch.atten))
	regs.ONETIME_SAMPLE.Write(v)
	regs.ONETIME_SAMPLE.Write(v.WithSARADC_ONETIME_START(true))
}

func done() bool { return regs.INT_RAW.Read()&apb_saradc.INT_RAWValue(doneBit) != 0 }

// finish reads the result and resets the one-shot logic.
func finish() uint16 {
	raw := uint16(regs.SAR1DATA_STATUS.Read().APB_SARADC1_DATA() & 0xFFF)
	reset()
	return raw
}

func convert(h *handle, n int) (uint16, error) {
	begin(h, n)
	end := systimer.Ticks() + uint64(h.timeout.Nanoseconds())*systimer.TicksPerMicrosecond/1000 + 1
	for !done() {
		if systimer.Ticks() >= end && !done() {
			reset()
			return 0, ErrTimeout
		}
	}
	return finish(), nil
}

// eFuse BLOCK2 fields (esp-hal's efuse/esp32c3 fields): BLK_VERSION_MAJOR at bit 128,
// ADC1_INIT_CODE_ATTENn at 148 + 10n and ADC1_CAL_VOL_ATTENn at 188 + 10n.
const (
	efuseVersionBit = 128
	efuseInitBit    = 148
	efuseCalBit     = 188
)

// efuseField reads width bits of BLOCK2 from bit on (RD_SYS_PART1_DATA0..7).
func efuseField(bit, width uint) uint32 {
	e := esp32c3.EFUSE
	words := [8]uint32{
		uint32(e.RD_SYS_PART1_DATA0.Read()), uint32(e.RD_SYS_PART1_DATA1.Read()),
		uint32(e.RD_SYS_PART1_DATA2.Read()), uint32(e.RD_SYS_PART1_DATA3.Read()),
		uint32(e.RD_SYS_PART1_DATA4.Read()), uint32(e.RD_SYS_PART1_DATA5.Read()),
		uint32(e.RD_SYS_PART1_DATA6.Read()), uint32(e.RD_SYS_PART1_DATA7.Read()),
	}
	v := uint64(words[bit/32])
	if bit/32+1 < 8 {
		v |= uint64(words[bit/32+1]) << 32
	}
	return uint32(v>>(bit%32)) & (1<<width - 1)
}

// calibration reads atten's init code and line-fitting gain from eFuse (esp-hal's
// rtc_calib_init_code / rtc_calib_cal_code / rtc_calib_cal_mv and AdcCalLine::new_cal).
func calibration(atten Attenuation) (initCode uint16, gain uint32, ok bool) {
	mv := uint32(ReferenceMillivolts[atten])
	code := uint32(2000)
	if efuseField(efuseVersionBit, 2) == 1 {
		ok = true
		initCode = uint16(efuseField(efuseInitBit+10*uint(atten), 10) + 1000)
		f := efuseField(efuseCalBit+10*uint(atten), 10)
		if f&(1<<9) != 0 {
			code = 2000 - f&^(1<<9)
		} else {
			code = 2000 + f
		}
	}
	return initCode, mv << 16 / code, ok
}

// Async conversions.

const (
	opNone = iota
	opReadRawAsync
	opReadMillivoltsAsync
	opAwaitRaw
	opAwaitMillivolts
)

var opNames = [...]string{"", "ReadRawAsync", "ReadMillivoltsAsync", "AwaitRaw", "AwaitMillivolts"}

func concurrent(second uint8, first uint32) {
	panic("adc: ADC1: " + opNames[second] + " polled while a " + opNames[first] +
		" is still pending; one conversion at a time: await the " + opNames[first] + " (or Cancel it) first")
}

// ReadRawAsync returns a future that converts ch once and completes, by
// interrupt, with the 12-bit code. Keep it at one address while it is pending.
func (a *Async) ReadRawAsync(ch *Channel) ReadFuture {
	a.h.check()
	return ReadFuture{h: a.h, op: opReadRawAsync, ch: ch}
}

// ReadMillivoltsAsync is ReadRawAsync through the calibration: it completes with mV.
func (a *Async) ReadMillivoltsAsync(ch *Channel) ReadFuture {
	a.h.check()
	return ReadFuture{h: a.h, op: opReadMillivoltsAsync, ch: ch, mv: true}
}

// AwaitRaw converts ch once from a straight-line task (async.Go), with the
// future kept in the driver, so it allocates nothing.
func (a *Async) AwaitRaw(t *async.T, ch *Channel) (uint16, error) {
	return a.awaitRead(t, ch, opAwaitRaw, false)
}

// AwaitMillivolts is AwaitRaw through the calibration: it returns mV.
func (a *Async) AwaitMillivolts(t *async.T, ch *Channel) (uint16, error) {
	return a.awaitRead(t, ch, opAwaitMillivolts, true)
}

func (a *Async) awaitRead(t *async.T, ch *Channel, op uint8, mv bool) (uint16, error) {
	a.h.check()
	if first := events.Lanes[0].Holder(); first != opNone {
		concurrent(op, first)
	}
	f := &a.h.await
	*f = ReadFuture{h: a.h, op: op, ch: ch, mv: mv}
	o := async.Await(t, f)
	return o.Value, o.Err
}

// ReadFuture is one conversion (an async.Future[async.Outcome[uint16]]).
type ReadFuture struct {
	h       *handle
	op      uint8
	ch      *Channel
	mv      bool
	n       uint8
	claimed bool
	done    bool
	out     async.Outcome[uint16]
	w       irqevent.Wait
}

var _ async.Future[async.Outcome[uint16]] = (*ReadFuture)(nil)

// Poll starts the conversion on its first poll, then completes once APB_SARADC1_DONE is
// set; until then the interrupt is armed and the task sleeps. It allocates nothing.
func (f *ReadFuture) Poll(cx *async.Context) (async.Outcome[uint16], bool) {
	if f.done {
		return f.out, true
	}
	h := f.h
	h.check()
	if !f.claimed {
		if first := events.Lanes[0].Claim(uint32(f.op)); first != opNone {
			concurrent(f.op, first)
		}
		f.claimed = true
		n, err := channelOf(h, f.ch)
		if err != nil {
			return f.finish(0, err), true
		}
		f.n = uint8(n)
		begin(h, n)
	}
	for {
		if done() {
			f.w.Disarm(&events, doneBit, 0)
			raw := finish()
			if f.mv {
				raw = millivolts(&h.st.ch[f.n], raw)
			}
			return f.finish(raw, nil), true
		}
		if f.w.Pending(&events, 0, cx, doneBit, 0) {
			return async.Outcome[uint16]{}, false
		}
	}
}

func (f *ReadFuture) finish(v uint16, err error) async.Outcome[uint16] {
	f.done = true
	f.out = async.Outcome[uint16]{Value: v, Err: err}
	if f.claimed {
		f.claimed = false
		events.Lanes[0].Release()
	}
	return f.out
}

// Cancel disarms the interrupt and stops the conversion.
func (f *ReadFuture) Cancel() {
	if f.done || f.h.gone != "" || !f.claimed {
		return
	}
	f.w.Disarm(&events, doneBit, 0)
	reset()
	f.finish(0, nil)
}
