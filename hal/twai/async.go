package twai

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/twai"
	"github.com/gohal/gohal/rt"
)

// Async is the driver in async mode: the Blocking methods plus futures driven by the TWAI0
// interrupt. Get one with Blocking.IntoAsync.
type Async struct{ drv }

// The interrupt events.
//
// Why not irqevent.Block: the TWAI has no INT_ST and no INT_CLR. Its INT_RAW clears when
// read (all but RX, a level while the RX FIFO holds a message), so Block's Handle (read
// INT_ST), Fired (read INT_RAW) and Arm (write INT_CLR) would each either touch a register
// that is not there or destroy events another waiter needs. This adapter keeps the same
// shape: a future arms its lane's bits under a critical section; the handler reads INT_RAW
// once (that read is the clear), marks the lanes whose armed bits fired, takes those bits
// out of INT_ENA (the RX level then drops) and wakes the lanes through irqevent.Lane; the
// future, polled again, sees its lane fired and disarms. INT_ENA is always the union of
// the armed lanes' bits, so lanes may share a bit (a transmission and a recovery both
// wait for ERR_WARN). The futures look at STATUS for their condition; INT_RAW is read
// only here, and the error bits it held are kept for EventFuture.
const (
	laneRX = iota
	laneTX
	laneEvent
	laneRecover
	numLanes
)

type lane struct{ armed, fired uint32 }

type events struct {
	lanes   [numLanes]lane
	wakers  [numLanes]irqevent.Lane
	errSeen uint32 // error bits (BUS_ERR, ERR_WARN, ERR_PASSIVE, ARB_LOST, OVERRUN) read from INT_RAW
	ecc     uint32 // ERR_CODE_CAP at the last BUS_ERR
}

var ev events

const errBits = intBusErr | intErrWarn | intPassive | intArbLost | intOverrun

// union is INT_ENA: what the armed lanes wait for. Call it in a critical section.
func (e *events) union() uint32 {
	var u uint32
	for i := range e.lanes {
		u |= e.lanes[i].armed
	}
	return u
}

// handle is the TWAI0 interrupt handler's body (and what arming the event lane runs first,
// so no event is lost to a read of INT_RAW).
func (e *events) handle() {
	r := esp32c3.TWAI0
	var wake [numLanes]bool
	cs := rt.EnterCritical()
	raw := uint32(r.INT_RAW.Read())
	if raw&intBusErr != 0 {
		e.ecc = uint32(r.ERR_CODE_CAP.Read())
	}
	e.errSeen |= raw & errBits
	for i := range e.lanes {
		if f := raw & e.lanes[i].armed; f != 0 {
			e.lanes[i].fired |= f
			e.lanes[i].armed = 0
			wake[i] = true
		}
	}
	r.INT_ENA.Write(twaiEna(e.union()))
	cs.Exit()
	for i := range wake {
		if wake[i] {
			e.wakers[i].Wake()
		}
	}
}

func onInterrupt() { ev.handle() }

// arm enables bits for lane l after forgetting what fired earlier.
func (e *events) arm(l int, w async.Waker, bits uint32) {
	e.wakers[l].Register(w)
	cs := rt.EnterCritical()
	e.lanes[l] = lane{armed: bits}
	esp32c3.TWAI0.INT_ENA.Write(twaiEna(e.union()))
	cs.Exit()
}

// disarm disables lane l's bits (those no other lane waits for).
func (e *events) disarm(l int) {
	cs := rt.EnterCritical()
	e.lanes[l] = lane{}
	esp32c3.TWAI0.INT_ENA.Write(twaiEna(e.union()))
	cs.Exit()
}

// fired reports whether lane l's armed bits have fired.
func (e *events) fired(l int) bool {
	cs := rt.EnterCritical()
	f := e.lanes[l].fired != 0 || e.lanes[l].armed == 0
	cs.Exit()
	return f
}

func (e *events) reset() {
	cs := rt.EnterCritical()
	e.lanes = [numLanes]lane{}
	e.errSeen, e.ecc = 0, 0
	esp32c3.TWAI0.INT_ENA.Write(0)
	esp32c3.TWAI0.INT_RAW.Read()
	cs.Exit()
	for i := range e.wakers {
		e.wakers[i].Unregister()
		e.wakers[i].Release()
	}
}

// wait is a future's arm-check-disarm cycle on one lane, as irqevent.Wait.
type wait struct{ armed bool }

// pending returns true when the future must return pending (armed, not fired, waker
// registered) and false when it must look at its condition again (just armed, or fired and
// now disarmed).
func (w *wait) pending(l int, cx *async.Context, bits uint32) bool {
	if w.armed {
		if !ev.fired(l) {
			ev.wakers[l].Register(cx.Waker())
			return true
		}
		w.armed = false
		ev.disarm(l)
		return false
	}
	w.armed = true
	ev.arm(l, cx.Waker(), bits)
	return false
}

func (w *wait) cancel(l int) {
	if w.armed {
		w.armed = false
		ev.disarm(l)
	}
}

const source = rt.Source(esp32c3.IRQ_TWAI0)

// IntoAsync returns the driver in async mode, binding the TWAI0 interrupt on the current
// core at Config.InterruptPriority. b is consumed.
func (b *Blocking) IntoAsync() *Async {
	c := b.take("IntoAsync")
	ev.reset()
	rt.Bind(source, onInterrupt)
	rt.Enable(source, c.cfg.InterruptPriority)
	c.async = true
	return &Async{drv{c: refOf(c), mode: "Async"}}
}

// IntoBlocking returns the driver in blocking mode, unbinding its interrupt (call it on the
// core that called IntoAsync). Futures still waiting are disarmed. a is consumed.
func (a *Async) IntoBlocking() *Blocking {
	c := a.take("IntoBlocking")
	c.unbind()
	return &Blocking{drv{c: refOf(c), mode: "Blocking"}}
}

func (c *ctrl) unbind() {
	rt.Disable(source)
	rt.Unbind(source)
	ev.reset()
	if f := c.txOwner; f != nil {
		f.w.armed = false
	}
	if f := c.rxOwner; f != nil {
		f.w.armed = false
	}
	if f := c.evOwner; f != nil {
		f.w.armed = false
	}
	if f := c.recOwner; f != nil {
		f.w.armed = false
	}
	c.txOwner, c.rxOwner, c.evOwner, c.recOwner = nil, nil, nil, nil
	c.async = false
}

func concurrent(second, first string) {
	panic("twai: " + second + " polled while a " + first + " is still pending; one at a time: await it (or Cancel it) first")
}

// TransmitFuture sends a frame; *TransmitFuture is an async.Future[error] (nil, ErrBusOff,
// ErrAborted, ErrListenOnly or a frame error). Make one with Async.TransmitAsync.
type TransmitFuture struct {
	c      ctrlRef
	f      Frame
	w      wait
	loaded bool
	done   bool
	res    error
}

// TransmitAsync returns a future that waits for the TX buffer (TX interrupt), loads f,
// requests its transmission and completes when it has been sent (TX interrupt) or the
// controller went bus-off (ERR_WARN).
func (a *Async) TransmitAsync(f Frame) TransmitFuture { return TransmitFuture{c: refOf(a.get()), f: f} }

// Poll completes when the frame is sent, or cannot be.
func (f *TransmitFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("twai: poll of a TransmitFuture that TransmitAsync did not make")
	}
	if o := c.txOwner; o != nil && o != f {
		concurrent("TransmitAsync", "TransmitAsync")
	}
	if !f.loaded {
		if err := c.canTransmit(&f.f); err != nil {
			return f.finish(err)
		}
	}
	for {
		st := c.status()
		if st&stTXBuf != 0 {
			if f.loaded {
				return f.finish(c.txResult())
			}
			c.load(&f.f)
			f.loaded = true
			continue
		}
		if st&stBusOff != 0 {
			return f.finish(ErrBusOff)
		}
		if c.txOwner != f {
			f.w.armed = false // the driver was unbound since f armed: start over
			c.txOwner = f
		}
		if f.w.pending(laneTX, cx, intTX|intErrWarn) {
			return nil, false
		}
	}
}

func (f *TransmitFuture) finish(err error) (error, bool) {
	c := f.c.get()
	if c.txOwner == f {
		c.txOwner = nil
		f.w.cancel(laneTX)
	}
	f.done, f.res = true, err
	return err, true
}

// Cancel stops waiting. A frame already loaded is aborted if it has not gone out yet.
func (f *TransmitFuture) Cancel() {
	if f.c.p == nil || f.done {
		return
	}
	c := f.c.get()
	if c.txOwner == f {
		c.txOwner = nil
		f.w.cancel(laneTX)
		ev.wakers[laneTX].Unregister()
	}
	if f.loaded {
		c.r.CMD.Write(cmdAbort)
	}
	f.done, f.res = true, ErrAborted
}

// AwaitTransmit sends f from a straight-line task (async.Go): TransmitAsync and
// async.Await in one call, with the future kept in the driver, so it allocates nothing.
func (a *Async) AwaitTransmit(t *async.T, f Frame) error {
	c := a.get()
	if c.txOwner == &c.awaitTx {
		panic("twai: AwaitTransmit called while another AwaitTransmit is pending")
	}
	c.awaitTx = TransmitFuture{c: refOf(c), f: f}
	return async.Await(t, &c.awaitTx)
}

// ReceiveFuture takes a frame from the RX FIFO; *ReceiveFuture is an
// async.Future[async.Outcome[Frame]]. Make one with Async.ReceiveAsync.
type ReceiveFuture struct {
	c    ctrlRef
	w    wait
	done bool
	res  async.Outcome[Frame]
}

// ReceiveAsync returns a future that completes with the oldest frame of the RX FIFO,
// waiting for the RX interrupt, or with ErrBusOff.
func (a *Async) ReceiveAsync() ReceiveFuture { return ReceiveFuture{c: refOf(a.get())} }

// Poll completes with a frame, or ErrBusOff.
func (f *ReceiveFuture) Poll(cx *async.Context) (async.Outcome[Frame], bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("twai: poll of a ReceiveFuture that ReceiveAsync did not make")
	}
	if o := c.rxOwner; o != nil && o != f {
		concurrent("ReceiveAsync", "ReceiveAsync")
	}
	for {
		st := c.status()
		if st&stRXBuf != 0 {
			return f.finish(async.Outcome[Frame]{Value: c.read()})
		}
		if st&stBusOff != 0 {
			return f.finish(async.Outcome[Frame]{Err: ErrBusOff})
		}
		if c.rxOwner != f {
			f.w.armed = false
			c.rxOwner = f
		}
		if f.w.pending(laneRX, cx, intRX|intErrWarn) {
			return async.Outcome[Frame]{}, false
		}
	}
}

func (f *ReceiveFuture) finish(o async.Outcome[Frame]) (async.Outcome[Frame], bool) {
	c := f.c.get()
	if c.rxOwner == f {
		c.rxOwner = nil
		f.w.cancel(laneRX)
	}
	f.done, f.res = true, o
	return o, true
}

// Cancel stops waiting; polling again resumes.
func (f *ReceiveFuture) Cancel() {
	if f.c.p == nil || f.done {
		return
	}
	c := f.c.get()
	if c.rxOwner == f {
		c.rxOwner = nil
		f.w.cancel(laneRX)
		ev.wakers[laneRX].Unregister()
	}
}

// AwaitReceive receives a frame from a straight-line task, allocating nothing.
func (a *Async) AwaitReceive(t *async.T) (Frame, error) {
	c := a.get()
	if c.rxOwner == &c.awaitRx {
		panic("twai: AwaitReceive called while another AwaitReceive is pending")
	}
	c.awaitRx = ReceiveFuture{c: refOf(c)}
	o := async.Await(t, &c.awaitRx)
	return o.Value, o.Err
}

// Event is what an error interrupt reported: which ones fired, the bus error's code (when
// BusError), and the status after it.
type Event struct {
	BusError     bool // BUS_ERR: a bit, stuff, CRC, form or ACK error on the bus
	Warning      bool // ERR_WARN: ERR_ST or BUS_OFF_ST changed
	Passive      bool // ERR_PASSIVE: entered or left error-passive
	ArbLost      bool // ARB_LOST: lost arbitration (the frame is retried)
	Overrun      bool // OVERRUN: the RX FIFO overflowed
	ErrorType    ErrorType
	ErrorSegment uint8 // ERR_CODE_CAP.ECC_SEGMENT (SJA1000 segment codes)
	Receiving    bool  // the bus error happened while receiving
	Status       Status
}

// ErrorType is ERR_CODE_CAP.ECC_TYPE.
type ErrorType uint8

const (
	BitError ErrorType = iota
	FormError
	StuffError
	OtherError // CRC and ACK errors, among others
)

var errTypeNames = [...]string{"bit error", "form error", "stuff error", "other error"}

func (e ErrorType) String() string { return errTypeNames[e&3] }

// EventFuture waits for the next error interrupt; *EventFuture is an
// async.Future[Event]. Make one with Async.EventAsync.
type EventFuture struct {
	c    ctrlRef
	w    wait
	done bool
	res  Event
}

// EventAsync returns a future that completes at the next error interrupt (BUS_ERR,
// ERR_WARN, ERR_PASSIVE, ARB_LOST or OVERRUN) after it is first polled.
func (a *Async) EventAsync() EventFuture { return EventFuture{c: refOf(a.get())} }

// Poll completes with the event.
func (f *EventFuture) Poll(cx *async.Context) (Event, bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("twai: poll of an EventFuture that EventAsync did not make")
	}
	if o := c.evOwner; o != nil && o != f {
		concurrent("EventAsync", "EventAsync")
	}
	if c.evOwner != f {
		// First poll: what happened before does not count. Flush INT_RAW through the
		// handler's body (a plain read would lose the other lanes' events).
		f.w.armed = false
		c.evOwner = f
		ev.handle()
		cs := rt.EnterCritical()
		ev.errSeen = 0
		cs.Exit()
	}
	for {
		cs := rt.EnterCritical()
		seen, ecc := ev.errSeen, ev.ecc
		ev.errSeen = 0
		cs.Exit()
		if seen != 0 {
			e := Event{
				BusError: seen&intBusErr != 0, Warning: seen&intErrWarn != 0, Passive: seen&intPassive != 0,
				ArbLost: seen&intArbLost != 0, Overrun: seen&intOverrun != 0, Status: c.snapshot(),
			}
			if e.BusError {
				e.ErrorType, e.ErrorSegment, e.Receiving = ErrorType(ecc>>6&3), uint8(ecc&0x1F), ecc&0x20 != 0
			}
			c.evOwner = nil
			f.w.cancel(laneEvent)
			f.done, f.res = true, e
			return e, true
		}
		if f.w.pending(laneEvent, cx, errBits) {
			return Event{}, false
		}
	}
}

// Cancel stops waiting.
func (f *EventFuture) Cancel() {
	if f.c.p == nil || f.done {
		return
	}
	c := f.c.get()
	if c.evOwner == f {
		c.evOwner = nil
		f.w.cancel(laneEvent)
		ev.wakers[laneEvent].Unregister()
	}
}

// AwaitEvent waits for the next error interrupt from a straight-line task, allocating
// nothing.
func (a *Async) AwaitEvent(t *async.T) Event {
	c := a.get()
	if c.evOwner == &c.awaitEv {
		panic("twai: AwaitEvent called while another AwaitEvent is pending")
	}
	c.awaitEv = EventFuture{c: refOf(c)}
	return async.Await(t, &c.awaitEv)
}

// RecoverFuture runs the bus-off recovery; *RecoverFuture is an async.Future[error]. Make
// one with Async.RecoverAsync.
type RecoverFuture struct {
	c       ctrlRef
	w       wait
	started bool
	done    bool
}

// RecoverAsync returns a future that leaves reset mode if the controller is bus-off and
// completes when the recovery is over (ERR_WARN: BUS_OFF_ST cleared), at once if it is not
// bus-off.
func (a *Async) RecoverAsync() RecoverFuture { return RecoverFuture{c: refOf(a.get())} }

// Poll completes when the controller is no longer bus-off.
func (f *RecoverFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return nil, true
	}
	c := f.c.get()
	if c == nil {
		panic("twai: poll of a RecoverFuture that RecoverAsync did not make")
	}
	if o := c.recOwner; o != nil && o != f {
		concurrent("RecoverAsync", "RecoverAsync")
	}
	if !f.started {
		f.started = true
		c.startRecovery()
	}
	for {
		if c.status()&stBusOff == 0 {
			if c.recOwner == f {
				c.recOwner = nil
				f.w.cancel(laneRecover)
			}
			f.done = true
			return nil, true
		}
		if c.recOwner != f {
			f.w.armed = false
			c.recOwner = f
		}
		if f.w.pending(laneRecover, cx, intErrWarn) {
			return nil, false
		}
	}
}

// Cancel stops waiting (the recovery itself goes on).
func (f *RecoverFuture) Cancel() {
	if f.c.p == nil || f.done {
		return
	}
	c := f.c.get()
	if c.recOwner == f {
		c.recOwner = nil
		f.w.cancel(laneRecover)
		ev.wakers[laneRecover].Unregister()
	}
}

// AwaitRecover runs the bus-off recovery from a straight-line task, allocating nothing.
func (a *Async) AwaitRecover(t *async.T) error {
	c := a.get()
	if c.recOwner == &c.awaitRec {
		panic("twai: AwaitRecover called while another AwaitRecover is pending")
	}
	c.awaitRec = RecoverFuture{c: refOf(c)}
	return async.Await(t, &c.awaitRec)
}

// Compile-time checks that the futures are async futures.
var (
	_ async.Future[error]                = (*TransmitFuture)(nil)
	_ async.Future[async.Outcome[Frame]] = (*ReceiveFuture)(nil)
	_ async.Future[Event]                = (*EventFuture)(nil)
	_ async.Future[error]                = (*RecoverFuture)(nil)
)

func twaiEna(v uint32) twai.INT_ENAValue { return twai.INT_ENAValue(v) }
