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

// DefaultRxTimeout is RxConfig.Timeout when it is 0.
const DefaultRxTimeout = time.Second

// DefaultIdleThreshold is RxConfig.IdleThreshold when it is 0, in ticks.
const DefaultIdleThreshold = 10_000

// RxConfig configures an RX channel.
type RxConfig struct {
	// TickHz is the tick rate: 80 MHz / d for d in 1..256 (0: DefaultTickHz, 10 MHz).
	TickHz uint32
	// IdleThreshold ends a frame: a level that lasts this many ticks (1..32767; 0:
	// DefaultIdleThreshold) is the line idle again.
	IdleThreshold uint16
	// FilterCycles, if not 0, ignores pulses shorter than this many 80 MHz cycles
	// (1..255: up to 3.2 µs).
	FilterCycles uint8
	// Timeout bounds a blocking Receive (0: DefaultRxTimeout, 1 s).
	Timeout time.Duration
	// Priority is the RMT interrupt's priority once IntoAsync binds it (0:
	// DefaultPriority).
	Priority rt.Priority
}

// rxState is an RX channel's settings and its driver-kept future.
type rxState struct {
	h       *handle
	div     uint32
	timeout time.Duration
	prio    rt.Priority
	await   RxFuture
}

var rx [2]rxState

// NewRx returns RX channel ch (RMT2 or RMT3) listening on pin.
func NewRx(ch periph.RMTChannel, pin periph.Pin, cfg RxConfig) (*Rx, error) {
	n := ch.Number()
	if n < 0 || n >= periph.NumRMTChannels {
		return nil, periph.ErrNoSuchResource
	}
	if n < 2 {
		return nil, &ConfigError{n, "channels 0 and 1 transmit on the ESP32-C3; receive on RMT2 or RMT3"}
	}
	div, err := divider(n, cfg.TickHz)
	if err != nil {
		return nil, err
	}
	idle := uint32(cfg.IdleThreshold)
	if idle == 0 {
		idle = DefaultIdleThreshold
	}
	if idle > MaxTicks {
		return nil, &ConfigError{n, "IdleThreshold " + itoa.Itoa(int(idle)) + " exceeds the 15-bit field: at most 32767 ticks"}
	}
	if cfg.Timeout < 0 {
		return nil, &ConfigError{n, "Timeout must not be negative"}
	}
	if cfg.Priority > rt.MaxPriority {
		return nil, &ConfigError{n, "interrupt priority must be 1..15 (0 for the default)"}
	}
	if err := periph.Claim(periph.KindRMT, n, "rmt.Rx"); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindPin, pin.Number(), periph.Name(periph.KindRMT, n)+" RX"); err != nil {
		periph.Release(periph.KindRMT, n)
		return nil, err
	}
	power()
	h := &handle{ch: uint8(n), pin: uint8(pin.Number()), kind: "Rx"}
	s := &rx[n-2]
	*s = rxState{h: h, div: div, timeout: cfg.Timeout, prio: cfg.Priority}
	if s.timeout == 0 {
		s.timeout = DefaultRxTimeout
	}
	if s.prio == 0 {
		s.prio = DefaultPriority
	}
	rxEvents.Disable(endBit(n) | errBit(n))
	intClr.Store(endBit(n) | errBit(n))
	rxConf0[n-2].Store(rxMemSize1 | idle<<rxIdleShift | (div&0xFF)<<rxDivShift)
	conf1 := uint32(0)
	if cfg.FilterCycles != 0 {
		conf1 |= rxFilterEn | uint32(cfg.FilterCycles)<<rxFilterShft
	}
	rxConf1[n-2].Store(conf1 | rxConfUpdate)
	pinroute.ConnectInput(pin.Number(), uint32(51+n-2))
	return &Rx{rxCommon{h}, h}, nil
}

// Rx is a blocking RX channel.
type Rx struct {
	rxCommon
	h *handle
}

// AsyncRx is an RX channel whose receptions can be awaited; it keeps the blocking methods.
type AsyncRx struct {
	rxCommon
	h *handle
}

// IntoAsync binds the RMT interrupt and returns the channel as an AsyncRx; r is consumed.
func (r *Rx) IntoAsync() *AsyncRx {
	h := r.h.consume("IntoAsync", "AsyncRx")
	rx[h.ch-2].h = h
	bind(h.ch, rx[h.ch-2].prio)
	return &AsyncRx{rxCommon{h}, h}
}

// IntoBlocking unbinds the interrupt (when no other channel is async) and returns the
// channel as an Rx; r is consumed.
func (r *AsyncRx) IntoBlocking() *Rx {
	h := r.h.consume("IntoBlocking", "Rx")
	rx[h.ch-2].h = h
	rxDisarm(h)
	unbind(h.ch)
	return &Rx{rxCommon{h}, h}
}

// Close stops the receiver and releases the channel and its pin.
func (r *Rx) Close() { closeRx(r.h) }

// Close stops the receiver, unbinds the interrupt and releases the channel and its pin.
func (r *AsyncRx) Close() {
	closeRx(r.h)
	rxDisarm(r.h)
	unbind(r.h.ch)
}

func rxDisarm(h *handle) {
	n := int(h.ch)
	rxEvents.Disable(endBit(n) | errBit(n))
	rxEvents.Lanes[n-2].Reset()
	rx[n-2].await.w.Forget()
	rx[n-2].await.pending = false
}

func closeRx(h *handle) {
	h.check()
	h.gone = "Close"
	n := int(h.ch)
	stopRx(n)
	pinroute.Release(int(h.pin))
	periph.Release(periph.KindPin, int(h.pin))
	periph.Release(periph.KindRMT, n)
}

type rxCommon struct{ h *handle }

// Channel returns the channel number (2 or 3).
func (c rxCommon) Channel() int { c.h.check(); return int(c.h.ch) }

// TickHz returns the tick rate.
func (c rxCommon) TickHz() uint32 { c.h.check(); return APBHz / rx[c.h.ch-2].div }

// Receive waits (blocking) for a frame: the receiver starts at the first edge on the pin
// and ends when the line has been idle for IdleThreshold ticks. It copies the frame's codes
// into buf, the last one holding the zero duration that ended it, and returns how many.
// ErrTimeout when no frame ended within RxConfig.Timeout (the receiver is stopped),
// ErrOverflow for a frame longer than the channel's 48 words, ErrShortBuffer when buf is
// shorter than the frame.
func (c rxCommon) Receive(buf []PulseCode) (int, error) {
	c.h.check()
	n := int(c.h.ch)
	startRx(n)
	dl := after(rx[n-2].timeout)
	for {
		raw := intRaw.Load()
		if raw&(endBit(n)|errBit(n)) != 0 {
			return finishRx(n, buf, raw)
		}
		if dl.passed() {
			stopRx(n)
			return 0, ErrTimeout
		}
	}
}

// startRx resets the write pointer, gives the RAM to the receiver and enables it.
func startRx(n int) {
	r := rxConf1[n-2]
	conf := r.Load() &^ (rxEn | rxMemWrRst | rxAPBMemRst | rxConfUpdate)
	r.Store(conf | rxConfUpdate)
	intClr.Store(endBit(n) | errBit(n))
	r.Store(conf | rxMemOwner | rxMemWrRst | rxAPBMemRst | rxEn | rxConfUpdate)
}

// stopRx disables the receiver and gives the RAM back to the CPU.
func stopRx(n int) {
	r := rxConf1[n-2]
	conf := r.Load() &^ (rxEn | rxMemOwner | rxMemWrRst | rxAPBMemRst | rxConfUpdate)
	r.Store(conf | rxConfUpdate)
}

// finishRx stops the receiver after RX_END or ERR and copies the frame into buf.
func finishRx(n int, buf []PulseCode, raw uint32) (int, error) {
	stopRx(n)
	intClr.Store(endBit(n) | errBit(n))
	r := &ram[n]
	k := 0
	for k < RAMWords {
		c := PulseCode(r[k].Load())
		if k == len(buf) {
			return k, ErrShortBuffer
		}
		buf[k] = c
		k++
		if c.IsEnd() {
			break
		}
	}
	if raw&errBit(n) != 0 {
		return k, ErrOverflow
	}
	return k, nil
}

// ReceiveAsync returns a future that starts the receiver at its first poll and completes
// with the frame in buf (see Receive) at RX_END or ERR. Keep it at one address while it is
// pending. One operation per channel at a time.
func (r *AsyncRx) ReceiveAsync(buf []PulseCode) RxFuture {
	r.h.check()
	return RxFuture{h: r.h, buf: buf, op: opReceiveAsync}
}

// AwaitReceive receives a frame from a straight-line task (async.Go): ReceiveAsync and
// async.Await in one call, with the future kept in the driver, so it allocates nothing.
func (r *AsyncRx) AwaitReceive(tk *async.T, buf []PulseCode) (int, error) {
	r.h.check()
	n := r.h.ch
	if first := rxEvents.Lanes[n-2].Holder(); first != opNone {
		concurrent(r.h, opAwaitReceive, first)
	}
	f := &rx[n-2].await
	*f = RxFuture{h: r.h, buf: buf, op: opAwaitReceive}
	res := async.Await(tk, f)
	return res.N, res.Err
}

// Received is a reception's outcome: the number of codes in the buffer and the error.
type Received struct {
	N   int
	Err error
}

// RxFuture is a reception in progress (an async.Future[Received]).
type RxFuture struct {
	h       *handle
	buf     []PulseCode
	op      uint8
	started bool
	pending bool
	done    bool
	res     Received
	w       irqevent.Wait
}

var _ async.Future[Received] = (*RxFuture)(nil)

// Poll starts the receiver on the first poll, then completes at RX_END or ERR.
func (f *RxFuture) Poll(cx *async.Context) (Received, bool) {
	if f.done {
		return f.res, true
	}
	f.h.check()
	n := int(f.h.ch)
	bits := endBit(n) | errBit(n)
	if !f.started {
		if first := rxEvents.Lanes[n-2].Claim(uint32(f.op)); first != opNone {
			concurrent(f.h, f.op, first)
		}
		f.pending, f.started = true, true
		startRx(n)
	}
	for {
		if raw := intRaw.Load(); raw&bits != 0 {
			f.w.Disarm(&rxEvents, bits, 0)
			k, err := finishRx(n, f.buf, raw)
			return f.finish(Received{k, err}), true
		}
		if f.w.Pending(&rxEvents, n-2, cx, bits, 0) {
			return Received{}, false
		}
	}
}

func (f *RxFuture) finish(r Received) Received {
	f.done, f.res = true, r
	if f.pending {
		f.pending = false
		rxEvents.Lanes[f.h.ch-2].Release()
	}
	return r
}

// Cancel stops a reception in progress.
func (f *RxFuture) Cancel() {
	if f.done || !f.started || f.h.gone != "" {
		return
	}
	n := int(f.h.ch)
	f.w.Disarm(&rxEvents, endBit(n)|errBit(n), 0)
	stopRx(n)
	f.finish(Received{})
}
