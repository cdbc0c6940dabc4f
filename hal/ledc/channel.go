package ledc

import (
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/ledc"
	"github.com/gohal/gohal/rt"
)

// SignalBase is the GPIO matrix output signal of channel 0 (LEDC_LS_SIG_OUT0); channel n
// drives signal SignalBase + n.
const SignalBase = 45

// Source is the LEDC's interrupt source.
const Source = rt.Source(esp32c3.IRQ_LEDC)

// ChannelConfig configures a channel.
type ChannelConfig struct {
	// Duty is the initial duty in steps, 0..timer.MaxDuty().
	Duty uint32
	// OpenDrain makes the pin open drain (it only pulls low) instead of push-pull.
	OpenDrain bool
	// Timeout is the slack a blocking fade wait allows beyond the fade's own length
	// (0: DefaultTimeout).
	Timeout time.Duration
	// Priority is the LEDC interrupt's priority once IntoAsync binds it (0: DefaultPriority).
	Priority rt.Priority
}

// endBit is channel n's DUTY_CHNG_END bit in INT_RAW/ST/ENA/CLR.
func endBit(n uint8) uint32 { return 1 << (4 + n) }

// events are the channels' DUTY_CHNG_END events: block n/2, lane n%2
// (hal/internal/irqevent; its blocks have two lanes, the LEDC six channels).
var events = [3]irqevent.Block{
	{Regs: irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW), Events: [irqevent.MaxLanes]uint32{1 << 4, 1 << 5}},
	{Regs: irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW), Events: [irqevent.MaxLanes]uint32{1 << 6, 1 << 7}},
	{Regs: irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW), Events: [irqevent.MaxLanes]uint32{1 << 8, 1 << 9}},
}

func eventsOf(n uint8) (*irqevent.Block, int) { return &events[n/2], int(n % 2) }

// onInterrupt is the LEDC interrupt handler: it disables the DUTY_CHNG_END sources that
// fired and wakes their channels' tasks. It allocates nothing.
func onInterrupt() {
	for i := range events {
		events[i].Handle()
	}
}

// bound counts the channels in async mode; the last one out unbinds the handler. Binding
// is idempotent (the same plain function each time), so every IntoAsync binds.
var bound int

func bind(prio rt.Priority) {
	cs := rt.EnterCritical()
	bound++
	cs.Exit()
	rt.Bind(Source, onInterrupt)
	rt.Enable(Source, prio)
}

func unbind() {
	cs := rt.EnterCritical()
	bound--
	last := bound <= 0
	if last {
		bound = 0
	}
	cs.Exit()
	if last {
		rt.Disable(Source)
		rt.Unbind(Source)
	}
}

// handle is one driver value's claim on its channel: consumed values panic.
type handle struct {
	n       uint8
	pin     uint8
	t       *Timer
	kind    string
	gone    string
	prio    rt.Priority
	timeout time.Duration
	// pending is set while a duty change (a fade, or a plain duty update, which the
	// hardware also ends with DUTY_CHNG_END) has not been waited for; periods is its length.
	pending bool
	periods uint32
	// await is the typed await's future (AwaitFade): a local would escape.
	await FadeFuture
}

func (h *handle) name() string { return periph.Name(periph.KindLEDC, int(h.n)) }

func (h *handle) check() {
	if h.gone != "" {
		msg := "ledc: " + h.name() + " " + h.kind + " used after "
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
	nh.kind, nh.gone, nh.await = kind, "", FadeFuture{}
	return &nh
}

// NewChannel binds channel ch to timer t and routes it to pin, with the initial duty.
func NewChannel(ch periph.LEDCChannel, t *Timer, pin periph.Pin, cfg ChannelConfig) (*Channel, error) {
	n := ch.Number()
	if n < 0 || n >= periph.NumLEDCChannels || pin.Number() < 0 || pin.Number() >= periph.NumPins {
		return nil, periph.ErrNoSuchResource
	}
	t.check()
	name := periph.Name(periph.KindLEDC, n)
	if cfg.Duty > 1<<t.res {
		return nil, dutyError(name, cfg.Duty, t)
	}
	if cfg.Priority > rt.MaxPriority {
		return nil, &ConfigError{name, "interrupt priority must be 1..15 (0 for the default)"}
	}
	if err := periph.Claim(periph.KindLEDC, n, "ledc.Channel"); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindPin, pin.Number(), name+" output"); err != nil {
		periph.Release(periph.KindLEDC, n)
		return nil, err
	}
	h := &handle{n: uint8(n), pin: uint8(pin.Number()), t: t, kind: "Channel", prio: cfg.Priority, timeout: cfg.Timeout}
	if h.prio == 0 {
		h.prio = DefaultPriority
	}
	if h.timeout <= 0 {
		h.timeout = DefaultTimeout
	}
	t.users++
	c := &regs.LSCH[n]
	c.HPOINT.Write(0)
	c.CONF0.Write(c.CONF0.Read().WithSIG_OUT_EN_LSCH(true).WithTIMER_SEL_LSCH(uint32(t.n)))
	setDuty(h, cfg.Duty)
	pinroute.ConnectOutput(int(h.pin), SignalBase+uint32(n), pinroute.Output{OpenDrain: cfg.OpenDrain})
	return &Channel{common{h}, h}, nil
}

func dutyError(name string, d uint32, t *Timer) error {
	return &ConfigError{name, "duty " + itoa.Itoa(int(d)) + " is above the timer's " + itoa.Itoa(1<<t.res) +
		" (" + itoa.Itoa(int(t.res)) + " bits; " + itoa.Itoa(1<<t.res) + " is 100%)"}
}

// Channel is a Blocking LEDC channel.
type Channel struct {
	common
	h *handle
}

// AsyncChannel is a Channel whose duty changes can be awaited; it keeps the blocking
// methods.
type AsyncChannel struct {
	common
	h *handle
}

// IntoAsync binds the LEDC interrupt on the current core at the configured priority and
// returns the channel as an AsyncChannel. c is consumed.
func (c *Channel) IntoAsync() *AsyncChannel {
	h := c.h.consume("IntoAsync", "AsyncChannel")
	forget(h)
	bind(h.prio)
	return &AsyncChannel{common{h}, h}
}

// IntoBlocking unbinds the interrupt (when no other channel is async) and returns the
// channel as a Channel. c is consumed; a wait in progress must not be polled again.
func (c *AsyncChannel) IntoBlocking() *Channel {
	h := c.h.consume("IntoBlocking", "Channel")
	forget(h)
	unbind()
	return &Channel{common{h}, h}
}

// forget disarms the channel's event and frees its lane.
func forget(h *handle) {
	b, l := eventsOf(h.n)
	b.Disable(endBit(h.n))
	b.Lanes[l].Release()
}

// Close stops the channel's output (SIG_OUT_EN = 0, the output idles low), releases its pin
// and frees the channel.
func (c *Channel) Close() { closeHandle(c.h) }

// Close stops the channel, unbinds the interrupt when no other channel is async and frees
// the channel.
func (c *AsyncChannel) Close() {
	closeHandle(c.h)
	forget(c.h)
	unbind()
}

func closeHandle(h *handle) {
	h.check()
	h.gone = "Close"
	r := &regs.LSCH[h.n].CONF0
	r.Write(r.Read().WithSIG_OUT_EN_LSCH(false).WithIDLE_LV_LSCH(false))
	r.Write(r.Read().WithPARA_UP_LSCH(true))
	pinroute.Release(int(h.pin))
	h.t.users--
	periph.Release(periph.KindPin, int(h.pin))
	periph.Release(periph.KindLEDC, int(h.n))
}

// Registers.

// setDuty is esp-hal's set_duty_hw: DUTY = d << 4, CONF1 = {DUTY_START, DUTY_INC,
// DUTY_NUM = 1, DUTY_CYCLE = 1, DUTY_SCALE = 0}, then PARA_UP. The raw DUTY_CHNG_END is
// cleared first, so a wait sees this change end (one period later).
func setDuty(h *handle, d uint32) {
	start(h, d, true, 1, 1, 0)
}

// start loads a duty change: DUTY = d << 4, INT_CLR.DUTY_CHNG_END, CONF1, PARA_UP.
func start(h *handle, d uint32, inc bool, num, cycle, scale uint32) {
	c := &regs.LSCH[h.n]
	c.DUTY.Write(ledc.LSCH_DUTYValue(0).WithDUTY_LSCH(d << 4))
	regs.INT_CLR.Write(ledc.INT_CLRValue(endBit(h.n)))
	c.CONF1.Write(ledc.LSCH_CONF1Value(0).WithDUTY_START_LSCH(true).WithDUTY_INC_LSCH(inc).
		WithDUTY_NUM_LSCH(num).WithDUTY_CYCLE_LSCH(cycle).WithDUTY_SCALE_LSCH(scale))
	c.CONF0.Write(c.CONF0.Read().WithPARA_UP_LSCH(true))
	h.pending, h.periods = true, num*cycle
}

// fade computes and starts a hardware fade from the current duty to `to` over about d.
func fade(h *handle, to uint32, d time.Duration) error {
	t := h.t
	if to > 1<<t.res {
		return dutyError(h.name(), to, t)
	}
	from := regs.LSCH[h.n].DUTY_R.Read().DUTY_LSCH_R() >> 4
	period := t.Period()
	p := uint64(1)
	if d > 0 {
		p = (uint64(d) + uint64(period)/2) / uint64(period)
		if p == 0 {
			p = 1
		}
	}
	inc := to >= from
	delta := uint64(to) - uint64(from)
	if !inc {
		delta = uint64(from) - uint64(to)
	}
	if delta == 0 {
		// Nothing to change: a zero-scale fade that only takes the time.
		num := (p + maxFadeField - 1) / maxFadeField
		cycle := (p + num/2) / num
		if num > maxFadeField || cycle > maxFadeField {
			return fadeTooLong(h, maxFadeField*maxFadeField, period)
		}
		start(h, to, true, uint32(num), uint32(cycle), 0)
		return nil
	}
	num := min(delta, p, maxFadeField)
	cycle := (p + num/2) / num
	if cycle == 0 {
		cycle = 1
	}
	if cycle > maxFadeField {
		return fadeTooLong(h, num*maxFadeField, period)
	}
	scale := delta / num
	if scale > maxFadeField {
		minP := (delta + maxFadeField - 1) / maxFadeField
		return &ConfigError{h.name(), "a fade of " + itoa.Itoa(int(delta)) + " steps takes at least " + itoa.Itoa(int(minP)) +
			" PWM periods (" + durString(time.Duration(minP)*period) + "): the duty changes by at most 1023 steps per period"}
	}
	s := to - uint32(num*scale)
	if !inc {
		s = to + uint32(num*scale)
	}
	start(h, s, inc, uint32(num), uint32(cycle), uint32(scale))
	return nil
}

func fadeTooLong(h *handle, maxP uint64, period time.Duration) error {
	return &ConfigError{h.name(), "the fade is too long: this one can last at most " + itoa.Itoa(int(maxP)) +
		" PWM periods (" + durString(time.Duration(maxP)*period) + "): DUTY_NUM and DUTY_CYCLE are 10 bits each"}
}

// durString formats d in ms with one decimal: "20.0 ms".
func durString(d time.Duration) string {
	tenths := (d + 50*time.Microsecond) / (100 * time.Microsecond)
	return itoa.Itoa(int(tenths/10)) + "." + itoa.Itoa(int(tenths%10)) + " ms"
}

// ended reports whether the channel's last duty change has ended (INT_RAW.DUTY_CHNG_END).
func ended(h *handle) bool { return regs.INT_RAW.Read()&ledc.INT_RAWValue(endBit(h.n)) != 0 }

// budget is how long a blocking wait allows for the pending change: its periods, one more
// for the update to reach the next period boundary, and the configured slack.
func budget(h *handle) time.Duration {
	return time.Duration(h.periods+1)*h.t.Period() + h.timeout
}

func waitEnd(h *handle) error {
	if !h.pending {
		return nil
	}
	dl := after(budget(h))
	for !ended(h) {
		if dl.passed() {
			if ended(h) {
				break
			}
			return ErrTimeout
		}
	}
	h.pending = false
	return nil
}

// Method set shared by Channel and AsyncChannel.
type common struct{ h *handle }

// Number returns the channel's number (0..5).
func (c common) Number() int { c.h.check(); return int(c.h.n) }

// Timer returns the timer the channel is bound to.
func (c common) Timer() *Timer { c.h.check(); return c.h.t }

// SetDuty sets the duty in steps (0..Timer().MaxDuty(); MaxDuty is constantly high); it
// takes effect at the start of the next PWM period. A fade in progress is replaced.
func (c common) SetDuty(d uint32) error {
	c.h.check()
	if d > 1<<c.h.t.res {
		return dutyError(c.h.name(), d, c.h.t)
	}
	setDuty(c.h, d)
	return nil
}

// SetDutyPercent sets the duty in percent (0..100) of the period, as esp-hal's set_duty:
// MaxDuty × pct / 100 steps.
func (c common) SetDutyPercent(pct uint8) error {
	c.h.check()
	if pct > 100 {
		return &ConfigError{c.h.name(), "duty " + itoa.Itoa(int(pct)) + "% is above 100%"}
	}
	setDuty(c.h, uint32(pct)<<c.h.t.res/100)
	return nil
}

// Duty returns the duty the channel outputs now, in steps (DUTY_R).
func (c common) Duty() uint32 {
	c.h.check()
	return regs.LSCH[c.h.n].DUTY_R.Read().DUTY_LSCH_R() >> 4
}

// StartFade starts a hardware fade from the current duty to `to` (in steps) lasting about
// d (whole PWM periods; see the package documentation), and returns at once.
func (c common) StartFade(to uint32, d time.Duration) error {
	c.h.check()
	return fade(c.h, to, d)
}

// Fading reports whether the last duty change (a fade or SetDuty) has not ended yet.
func (c common) Fading() bool {
	c.h.check()
	return c.h.pending && !ended(c.h)
}

// WaitFade waits (blocking) for the last duty change to end, at most its own length plus
// ChannelConfig.Timeout; it returns at once when none is pending, and ErrTimeout when the
// end does not come (the timer is paused or closed).
func (c common) WaitFade() error { c.h.check(); return waitEnd(c.h) }

// Fade starts a fade to `to` over about d and waits for its end (blocking).
func (c common) Fade(to uint32, d time.Duration) error {
	c.h.check()
	if err := fade(c.h, to, d); err != nil {
		return err
	}
	return waitEnd(c.h)
}

// Async.

// The operations that hold a channel's lane.
const (
	opNone = iota
	opFadeAsync
	opWaitFadeAsync
	opAwaitFade
)

var opNames = [...]string{"", "FadeAsync", "WaitFadeAsync", "AwaitFade"}

func checkIdle(h *handle, second uint8) {
	b, l := eventsOf(h.n)
	if first := b.Lanes[l].Holder(); first != opNone {
		concurrent(h, second, first)
	}
}

func concurrent(h *handle, second uint8, first uint32) {
	panic("ledc: " + h.name() + ": " + opNames[second] + " polled while a " + opNames[first] +
		" is still pending on " + h.name() + "; one wait per channel at a time: await the " + opNames[first] +
		" (or Cancel it) first")
}

// FadeAsync returns a future that starts a fade to `to` over about d on its first poll and
// completes at its end (DUTY_CHNG_END, by interrupt) with nil, or with the fade's
// *ConfigError. Keep it at one address while it is pending.
func (c *AsyncChannel) FadeAsync(to uint32, d time.Duration) FadeFuture {
	c.h.check()
	return FadeFuture{h: c.h, op: opFadeAsync, to: to, d: d, begin: true}
}

// WaitFadeAsync returns a future that completes when the last duty change (StartFade,
// SetDuty) ends, at once if none is pending.
func (c *AsyncChannel) WaitFadeAsync() FadeFuture {
	c.h.check()
	return FadeFuture{h: c.h, op: opWaitFadeAsync}
}

// AwaitFade fades to `to` over about d and waits for the end, from a straight-line task
// (async.Go): FadeAsync and async.Await in one call, with the future kept in the driver, so
// it allocates nothing. One wait per channel at a time: called while another is pending,
// it panics naming both.
func (c *AsyncChannel) AwaitFade(t *async.T, to uint32, d time.Duration) error {
	c.h.check()
	checkIdle(c.h, opAwaitFade)
	f := &c.h.await
	*f = FadeFuture{h: c.h, op: opAwaitFade, to: to, d: d, begin: true}
	return async.Await(t, f)
}

// FadeFuture waits for the end of a channel's duty change (an async.Future[error]).
type FadeFuture struct {
	h       *handle
	op      uint8
	to      uint32
	d       time.Duration
	begin   bool // start the fade on the first poll
	claimed bool
	done    bool
	err     error
	w       irqevent.Wait
}

var _ async.Future[error] = (*FadeFuture)(nil)

// Poll starts the fade (FadeAsync, AwaitFade) on its first poll, then completes once
// INT_RAW.DUTY_CHNG_END is set; until then DUTY_CHNG_END is armed and the task sleeps. It
// allocates nothing.
func (f *FadeFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return f.err, true
	}
	h := f.h
	h.check()
	b, l := eventsOf(h.n)
	bit := endBit(h.n)
	if !f.claimed {
		if first := b.Lanes[l].Claim(uint32(f.op)); first != opNone {
			concurrent(h, f.op, first)
		}
		f.claimed = true
		if f.begin {
			if err := fade(h, f.to, f.d); err != nil {
				return f.finish(err), true
			}
		}
	}
	for {
		if !h.pending || ended(h) {
			f.w.Disarm(b, bit, 0)
			h.pending = false
			return f.finish(nil), true
		}
		if f.w.Pending(b, l, cx, bit, 0) {
			return nil, false
		}
	}
}

func (f *FadeFuture) finish(err error) error {
	f.done, f.err = true, err
	if f.claimed {
		f.claimed = false
		b, l := eventsOf(f.h.n)
		b.Lanes[l].Release()
	}
	return err
}

// Cancel disarms the interrupt; the fade itself runs on.
func (f *FadeFuture) Cancel() {
	if f.done || f.h.gone != "" {
		return
	}
	b, _ := eventsOf(f.h.n)
	f.w.Disarm(b, endBit(f.h.n), 0)
	f.finish(nil)
}
