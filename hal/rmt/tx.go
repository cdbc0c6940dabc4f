package rmt

import (
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/rt"
)

// DefaultTxTimeout is TxConfig.Timeout when it is 0.
const DefaultTxTimeout = 10 * time.Millisecond

// TxConfig configures a TX channel.
type TxConfig struct {
	// TickHz is the tick rate: 80 MHz / d for d in 1..256 (0: DefaultTickHz, 10 MHz).
	TickHz uint32
	// IdleHigh makes the output high between transmissions (IDLE_OUT_EN with
	// IDLE_OUT_LV); the default idles low.
	IdleHigh bool
	// CarrierHz, if not 0, modulates the output with a carrier of this frequency while
	// it is at the carrier level (high, or low with CarrierOnLow), as an IR LED needs.
	// The carrier's high and low times are whole 12.5 ns cycles of the 80 MHz clock, at
	// most 65535 each: CarrierHz must be 80 MHz / n for such a split of n.
	CarrierHz uint32
	// CarrierDutyPercent is the carrier's high share, 1..99 (0: 50).
	CarrierDutyPercent uint8
	// CarrierOnLow modulates the low level instead of the high one.
	CarrierOnLow bool
	// Timeout bounds a blocking Transmit beyond the frame's own length (0:
	// DefaultTxTimeout, 10 ms).
	Timeout time.Duration
	// Priority is the RMT interrupt's priority once IntoAsync binds it (0:
	// DefaultPriority). The four channels share the RMT's interrupt: the last IntoAsync
	// sets it.
	Priority rt.Priority
}

// txState is a TX channel's transmission in progress: the codes not yet in RAM and where
// the next refill goes. It is a package variable, so neither the handler nor a
// transmission allocates.
type txState struct {
	h       *handle
	src     []PulseCode
	pos     int
	off     int  // RAM word the next refill starts at (0 or 24)
	ended   bool // the end code is in RAM
	looping bool // a continuous loop runs (Loop with 0 rounds)
	ticks   uint64
	div     uint32
	margin  time.Duration
	prio    rt.Priority
	await   TxFuture
}

var tx [2]txState

// NewTx returns TX channel ch (RMT0 or RMT1) driving pin.
func NewTx(ch periph.RMTChannel, pin periph.Pin, cfg TxConfig) (*Tx, error) {
	n := ch.Number()
	if n < 0 || n >= periph.NumRMTChannels {
		return nil, periph.ErrNoSuchResource
	}
	if n >= 2 {
		return nil, &ConfigError{n, "channels 2 and 3 receive on the ESP32-C3; transmit on RMT0 or RMT1"}
	}
	div, err := divider(n, cfg.TickHz)
	if err != nil {
		return nil, err
	}
	conf := txMemSize1 | txIdleEn | (div&0xFF)<<txDivShift
	if cfg.IdleHigh {
		conf |= txIdleLv
	}
	var duty uint32
	if cfg.CarrierHz != 0 {
		var err error
		if duty, err = carrier(n, cfg); err != nil {
			return nil, err
		}
		conf |= txCarrierEn | txCarrierEff
		if !cfg.CarrierOnLow {
			conf |= txCarrierLv
		}
	}
	if cfg.Timeout < 0 {
		return nil, &ConfigError{n, "Timeout must not be negative"}
	}
	if cfg.Priority > rt.MaxPriority {
		return nil, &ConfigError{n, "interrupt priority must be 1..15 (0 for the default)"}
	}
	if err := periph.Claim(periph.KindRMT, n, "rmt.Tx"); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindPin, pin.Number(), periph.Name(periph.KindRMT, n)+" TX"); err != nil {
		periph.Release(periph.KindRMT, n)
		return nil, err
	}
	power()
	h := &handle{ch: uint8(n), pin: uint8(pin.Number()), kind: "Tx"}
	s := &tx[n]
	*s = txState{h: h, div: div, margin: cfg.Timeout, prio: cfg.Priority}
	if s.margin == 0 {
		s.margin = DefaultTxTimeout
	}
	if s.prio == 0 {
		s.prio = DefaultPriority
	}
	txEvents.Disable(thrBit(n) | endBit(n) | errBit(n) | loopBit(n))
	intClr.Store(thrBit(n) | endBit(n) | errBit(n) | loopBit(n))
	txCarrier[n].Store(duty)
	txLim[n].Store(txLimHalf)
	txConf0[n].Store(conf)
	txConf0[n].Store(conf | txConfUpdate)
	pinroute.ConnectOutput(pin.Number(), uint32(51+n), pinroute.Output{High: cfg.IdleHigh})
	return &Tx{txCommon{h}, h}, nil
}

// carrier validates the carrier and returns CHCARRIER_DUTY.
func carrier(ch int, cfg TxConfig) (uint32, error) {
	duty := uint32(cfg.CarrierDutyPercent)
	if duty == 0 {
		duty = 50
	}
	if duty > 99 {
		return 0, &ConfigError{ch, "CarrierDutyPercent must be 1..99 (0 for 50)"}
	}
	n := APBHz / cfg.CarrierHz
	if n < 2 || n > 2*0xFFFF || APBHz/n != cfg.CarrierHz {
		best := min(max(n, 2), 2*0xFFFF)
		if n >= 2 && n < 2*0xFFFF && cfg.CarrierHz-APBHz/(n+1) < APBHz/n-cfg.CarrierHz {
			best = n + 1
		}
		return 0, &ConfigError{ch, "CarrierHz " + itoa.Itoa(int(cfg.CarrierHz)) + " is not reachable: a carrier period is 2..131070 cycles of 80 MHz; the nearest is " +
			itoa.Itoa(int(APBHz/best)) + " Hz (80 MHz / " + itoa.Itoa(int(best)) + ")"}
	}
	high := n * duty / 100
	high = min(max(high, 1), n-1)
	low := n - high
	if high > 0xFFFF || low > 0xFFFF {
		return 0, &ConfigError{ch, "the carrier's high or low time exceeds 65535 cycles at this duty; move the duty towards 50%"}
	}
	return high<<16 | low, nil
}

// Tx is a blocking TX channel.
type Tx struct {
	txCommon
	h *handle
}

// AsyncTx is a TX channel whose transmissions can be awaited; it keeps the blocking methods.
type AsyncTx struct {
	txCommon
	h *handle
}

// IntoAsync binds the RMT interrupt and returns the channel as an AsyncTx; t is consumed.
func (t *Tx) IntoAsync() *AsyncTx {
	h := t.h.consume("IntoAsync", "AsyncTx")
	tx[h.ch].h = h
	bind(h.ch, tx[h.ch].prio)
	return &AsyncTx{txCommon{h}, h}
}

// IntoBlocking unbinds the interrupt (when no other channel is async) and returns the
// channel as a Tx; t is consumed.
func (t *AsyncTx) IntoBlocking() *Tx {
	h := t.h.consume("IntoBlocking", "Tx")
	tx[h.ch].h = h
	disarm(h)
	unbind(h.ch)
	return &Tx{txCommon{h}, h}
}

// Close stops the channel, releases it and its pin.
func (t *Tx) Close() { closeTx(t.h) }

// Close stops the channel, unbinds the interrupt and releases the channel and its pin.
func (t *AsyncTx) Close() {
	closeTx(t.h)
	disarm(t.h)
	unbind(t.h.ch)
}

func disarm(h *handle) {
	n := int(h.ch)
	txEvents.Disable(thrBit(n) | endBit(n) | errBit(n))
	txEvents.Lanes[n].Reset()
	tx[n].await.w.Forget()
	tx[n].await.pending = false
}

func closeTx(h *handle) {
	h.check()
	h.gone = "Close"
	n := int(h.ch)
	stop(n)
	pinroute.Release(int(h.pin))
	periph.Release(periph.KindPin, int(h.pin))
	periph.Release(periph.KindRMT, n)
}

type txCommon struct{ h *handle }

// Channel returns the channel number (0 or 1).
func (c txCommon) Channel() int { c.h.check(); return int(c.h.ch) }

// TickHz returns the tick rate.
func (c txCommon) TickHz() uint32 { c.h.check(); return APBHz / tx[c.h.ch].div }

// Duration returns how long codes take on the line (up to the first end code).
func (c txCommon) Duration(codes []PulseCode) time.Duration {
	c.h.check()
	_, ticks := scan(codes)
	return ticksToDuration(ticks, tx[c.h.ch].div)
}

// Transmit sends codes (blocking) and waits until the transmitter has sent them, at most
// their length plus TxConfig.Timeout; ErrTimeout stops the channel. Codes after the first
// end code are not sent; without one, the driver ends the transmission after the last
// code. Any number of codes: beyond the channel's 48 words the driver refills its RAM as
// the transmitter empties it.
func (c txCommon) Transmit(codes []PulseCode) error {
	c.h.check()
	n := int(c.h.ch)
	s := &tx[n]
	if err := s.start(n, codes, false); err != nil {
		return err
	}
	dl := after(ticksToDuration(s.ticks, s.div) + s.margin)
	for {
		raw := intRaw.Load()
		if raw&errBit(n) != 0 {
			stop(n)
			return ErrChannel
		}
		if raw&endBit(n) != 0 {
			intClr.Store(endBit(n))
			return nil
		}
		if raw&thrBit(n) != 0 {
			intClr.Store(thrBit(n))
			s.refill()
		}
		if dl.passed() {
			stop(n)
			return ErrTimeout
		}
	}
}

// Loop sends codes rounds times back to back (TX_CONTI_MODE with the loop counter, 1..1023
// rounds) and waits for the last round, at most their length times rounds plus
// TxConfig.Timeout. With rounds = 0 the loop runs until Stop, and Loop returns at once.
// The codes must fit the channel's RAM: at most 48 words with the end code (added if
// missing).
func (c txCommon) Loop(codes []PulseCode, rounds int) error {
	c.h.check()
	n := int(c.h.ch)
	s := &tx[n]
	if rounds < 0 || rounds > maxLoops {
		return &ConfigError{n, "Loop rounds must be 0 (until Stop) or 1..1023, not " + itoa.Itoa(rounds)}
	}
	if err := s.start(n, codes, true); err != nil {
		return err
	}
	if s.src != nil {
		stop(n)
		return &ConfigError{n, "a loop's codes must fit the channel's RAM: 48 words with the end code, not " + itoa.Itoa(len(codes))}
	}
	lim := uint32(txLimHalf)
	if rounds > 0 {
		lim |= uint32(rounds)<<txLoopNumShft | txLoopCntEn
	}
	txLim[n].Store(lim)
	conf := txConf0[n].Load()&^(txWrap) | txConti
	txConf0[n].Store(conf | txConfUpdate)
	txConf0[n].Store(conf | txMemRdRst | txAPBMemRst | txStart | txConfUpdate)
	if rounds == 0 {
		s.looping = true
		return nil
	}
	dl := after(ticksToDuration(s.ticks*uint64(rounds), s.div) + s.margin)
	for {
		raw := intRaw.Load()
		if raw&(loopBit(n)|endBit(n)) != 0 {
			stop(n)
			return nil
		}
		if raw&errBit(n) != 0 {
			stop(n)
			return ErrChannel
		}
		if dl.passed() {
			stop(n)
			return ErrTimeout
		}
	}
}

// Stop stops the transmitter at once (a running loop, a transmission in progress), the
// output back at its idle level.
func (c txCommon) Stop() {
	c.h.check()
	stop(int(c.h.ch))
}

// stop stops channel n: TX_STOP, continuous mode and the loop counter off, its events
// cleared.
func stop(n int) {
	conf := txConf0[n].Load() &^ (txConti | txWrap)
	txConf0[n].Store(conf | txStop | txConfUpdate)
	txLim[n].Store(txLimHalf)
	txEvents.Disable(thrBit(n))
	intClr.Store(thrBit(n) | endBit(n) | errBit(n) | loopBit(n))
	tx[n].looping = false
	tx[n].src = nil
}

// scan returns the number of codes up to and including the first end code (len(codes)
// when there is none) and their length in ticks.
func scan(codes []PulseCode) (n int, ticks uint64) {
	for i, c := range codes {
		d0, d1 := c.Duration0(), c.Duration1()
		ticks += uint64(d0)
		if d0 == 0 {
			return i + 1, ticks
		}
		ticks += uint64(d1)
		if d1 == 0 {
			return i + 1, ticks
		}
	}
	return len(codes), ticks
}

// ticksToDuration converts ticks of 80 MHz / div to a duration, rounded up.
func ticksToDuration(ticks uint64, div uint32) time.Duration {
	return time.Duration((ticks*uint64(div)*25 + 1) / 2) // 12.5 ns per APB cycle
}

// start loads codes into the channel's RAM and, unless loop, starts the transmitter. Codes
// that do not fit are left in s.src for refill (loop: the caller refuses them).
func (s *txState) start(n int, codes []PulseCode, loop bool) error {
	if s.looping {
		return ErrBusy
	}
	k, ticks := scan(codes)
	if k == 0 {
		return ErrEmpty
	}
	codes = codes[:k]
	s.src, s.pos, s.off, s.ended, s.ticks = codes, 0, 0, false, ticks
	txEvents.Disable(thrBit(n))
	intClr.Store(thrBit(n) | endBit(n) | errBit(n) | loopBit(n))
	s.fill(RAMWords)
	wrap := !s.ended
	if s.ended {
		s.src = nil
	}
	if loop {
		return nil
	}
	conf := txConf0[n].Load() &^ (txWrap | txConti)
	if wrap {
		conf |= txWrap
	}
	txLim[n].Store(txLimHalf)
	txConf0[n].Store(conf | txConfUpdate)
	txConf0[n].Store(conf | txMemRdRst | txAPBMemRst | txStart | txConfUpdate)
	return nil
}

// fill writes up to k words at s.off: the next codes, then an end code once they are out.
func (s *txState) fill(k int) {
	n := int(s.h.ch)
	r := &ram[n]
	for i := 0; i < k && !s.ended; i++ {
		c := End
		if s.pos < len(s.src) {
			c = s.src[s.pos]
			s.pos++
		}
		if c.IsEnd() {
			s.ended = true
		}
		r[(s.off+i)%RAMWords].Store(uint32(c))
	}
	s.off = (s.off + k) % RAMWords
}

// refill writes the next half of the RAM after a threshold event; it reports whether more
// refills are needed.
func (s *txState) refill() bool {
	if s.src == nil || s.ended {
		return false
	}
	s.fill(txLimHalf)
	return !s.ended
}

// Async.

// TransmitAsync returns a future that starts the transmission at its first poll and
// completes at TX_END (nil) or ERR (ErrChannel). The RAM is refilled in the interrupt
// handler. Keep it at one address while it is pending, and codes unchanged. One operation
// per channel at a time.
func (t *AsyncTx) TransmitAsync(codes []PulseCode) TxFuture {
	t.h.check()
	return TxFuture{h: t.h, codes: codes, op: opTransmitAsync}
}

// AwaitTransmit transmits codes from a straight-line task (async.Go) and waits for the
// end: TransmitAsync and async.Await in one call, with the future kept in the driver, so
// it allocates nothing. Called while another operation is pending on the channel, it
// panics naming both.
func (t *AsyncTx) AwaitTransmit(tk *async.T, codes []PulseCode) error {
	t.h.check()
	n := t.h.ch
	if first := txEvents.Lanes[n].Holder(); first != opNone {
		concurrent(t.h, opAwaitTransmit, first)
	}
	f := &tx[n].await
	*f = TxFuture{h: t.h, codes: codes, op: opAwaitTransmit}
	return async.Await(tk, f)
}

// TxFuture is a transmission in progress (an async.Future[error]).
type TxFuture struct {
	h       *handle
	codes   []PulseCode
	op      uint8
	started bool
	pending bool // it holds the channel's lane
	done    bool
	err     error
	w       irqevent.Wait
}

var _ async.Future[error] = (*TxFuture)(nil)

// Poll starts the transmission on the first poll, then completes at TX_END or ERR.
func (f *TxFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return f.err, true
	}
	f.h.check()
	n := int(f.h.ch)
	if !f.started {
		if first := txEvents.Lanes[n].Claim(uint32(f.op)); first != opNone {
			concurrent(f.h, f.op, first)
		}
		f.pending, f.started = true, true
		s := &tx[n]
		if err := s.start(n, f.codes, false); err != nil {
			return f.finish(err), true
		}
		if s.src != nil {
			txEvents.Enable(thrBit(n), 0) // the handler refills
		}
	}
	for {
		raw := intRaw.Load()
		if raw&errBit(n) != 0 {
			f.w.Disarm(&txEvents, endBit(n)|errBit(n), 0)
			stop(n)
			return f.finish(ErrChannel), true
		}
		if raw&endBit(n) != 0 {
			f.w.Disarm(&txEvents, endBit(n)|errBit(n), 0)
			intClr.Store(endBit(n))
			txEvents.Disable(thrBit(n))
			return f.finish(nil), true
		}
		if f.w.Pending(&txEvents, n, cx, endBit(n)|errBit(n), 0) {
			return nil, false
		}
	}
}

func (f *TxFuture) finish(err error) error {
	f.done, f.err = true, err
	if f.pending {
		f.pending = false
		txEvents.Lanes[f.h.ch].Release()
	}
	return err
}

// Cancel stops a transmission in progress.
func (f *TxFuture) Cancel() {
	if f.done || !f.started || f.h.gone != "" {
		return
	}
	n := int(f.h.ch)
	f.w.Disarm(&txEvents, endBit(n)|errBit(n), 0)
	stop(n)
	f.finish(nil)
}
