package uart

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// Async is a UART driver in async mode: the Blocking methods (Read, Write, Flush, io.Reader,
// io.Writer, ...) plus futures driven by the UART interrupt. Get one with
// Blocking.IntoAsync.
type Async struct{ drv }

// The lanes of a UART's interrupt events: the task reading, and the one writing or
// flushing.
const (
	laneRx = 0
	laneTx = 1
)

// events are each UART's interrupt registers and the wakers of its reader and its writer
// (hal/internal/irqevent: the interrupt-event shape every async driver shares).
var events = [2]irqevent.Block{
	{
		Regs:   irqevent.RegsOf(&esp32c3.UART0.INT_ENA, &esp32c3.UART0.INT_ST, &esp32c3.UART0.INT_CLR, &esp32c3.UART0.INT_RAW),
		Events: [irqevent.MaxLanes]uint32{laneRx: rxEvents, laneTx: txEvents},
	},
	{
		Regs:   irqevent.RegsOf(&esp32c3.UART1.INT_ENA, &esp32c3.UART1.INT_ST, &esp32c3.UART1.INT_CLR, &esp32c3.UART1.INT_RAW),
		Events: [irqevent.MaxLanes]uint32{laneRx: rxEvents, laneTx: txEvents},
	},
}

// handlers are plain functions, so binding them allocates nothing.
var handlers = [2]func(){onUART0, onUART1}

func onUART0() { onInterrupt(0) }
func onUART1() { onInterrupt(1) }

// TX and RX interrupt sources the futures arm.
const (
	txEvents = intTxEmpty | intTxDone
	rxEvents = intRxFull | intRxTout | rxErrorBits
)

// onInterrupt is the UART interrupt handler, esp-hal's intr_handler: read INT_ST, disable
// the sources that fired (the level line drops), wake the reader and/or the writer
// (irqevent.Block.Handle: the read-modify-write of INT_ENA is in a critical section because
// a future polled at a higher priority may be arming other bits of it).
func onInterrupt(n uint8) { events[n].Handle() }

func source(n uint8) rt.Source {
	return rt.Source(esp32c3.IRQ_UART0) + rt.Source(n)
}

// IntoAsync returns the driver in async mode, binding the UART's interrupt handler on the
// current core at Config.InterruptPriority; as esp-hal does, every UART interrupt source is
// disabled and cleared first. b is consumed.
func (b *Blocking) IntoAsync() *Async {
	c := b.take("IntoAsync")
	events[c.n].Reset(intAll)
	src := source(c.n)
	rt.Bind(src, handlers[c.n])
	rt.Enable(src, c.cfg.InterruptPriority)
	c.async = true
	return &Async{drv{c: refOf(c), n: c.n, mode: "Async"}}
}

// IntoBlocking returns the driver in blocking mode, unbinding its interrupt (call it on
// the core that called IntoAsync). Futures still waiting are disarmed. a is consumed.
func (a *Async) IntoBlocking() *Blocking {
	c := a.take("IntoBlocking")
	c.unbind()
	return &Blocking{drv{c: refOf(c), n: c.n, mode: "Blocking"}}
}

// unbind disables every UART interrupt source and the interrupt itself.
func (c *port) unbind() {
	events[c.n].Reset(intAll)
	src := source(c.n)
	rt.Disable(src)
	rt.Unbind(src)
	c.restoreRxThreshold()
	c.rxOwner, c.txWrite, c.txFlush = nil, nil, nil
	c.async = false
}

// setRxThreshold sets CONF1.RXFIFO_FULL_THRHD for a wake at level bytes. (A plain
// read-modify-write: a Modify closure capturing level would be heap-allocated by TinyGo, and
// this runs on every arm.)
func (c *port) setRxThreshold(level uint32) {
	c.r.CONF1.Write(c.r.CONF1.Read().WithRXFIFO_FULL_THRHD(level - 1))
}

func (c *port) restoreRxThreshold() { c.setRxThreshold(c.rxLevel) }

// rxWaitBits are the sources a waiting read enables.
func (c *port) rxWaitBits() uint32 {
	if c.cfg.NoRxTimeout {
		return rxEvents &^ intRxTout
	}
	return rxEvents
}

// ReadFuture reads from the UART; *ReadFuture is an async.Future[async.Outcome[int]]. Make
// one with Async.ReadAsync or Async.ReadExactAsync and keep it at one address while it is
// polled (a field of the task). Its Outcome is the number of bytes stored and the first
// receive error (an RxError), if any.
type ReadFuture struct {
	c     portRef
	buf   []byte
	got   int
	exact bool
	w     irqevent.Wait
	done  bool
	res   async.Outcome[int]
}

// ReadAsync returns a future that reads what the RX FIFO holds into buf, waiting until it
// holds at least one byte. While it waits it wakes when the FIFO reaches
// min(len(buf), RxFIFOFullThreshold) bytes or when the line has been idle for the RX
// timeout after a byte, so a burst comes in one piece. A receive error completes it with
// that error and no data.
func (a *Async) ReadAsync(buf []byte) ReadFuture {
	return ReadFuture{c: refOf(a.get()), buf: buf}
}

// AwaitRead reads into buf from a straight-line task (async.Go): ReadAsync and async.Await in
// one call, with the future kept in the driver. A future in the task function's own
// variable escapes to the heap (an armed future is recorded in the driver), so
// "rd := ua.ReadAsync(buf); async.Await(t, &rd)" allocates once per await; this allocates
// nothing. One read at a time, as for ReadAsync.
func (a *Async) AwaitRead(t *async.T, buf []byte) (int, error) {
	p := a.get()
	if p.rxOwner == &p.awaitRd {
		p.awaitBusy("AwaitRead", "read")
	}
	p.awaitRd = ReadFuture{c: refOf(p), buf: buf}
	o := async.Await(t, &p.awaitRd)
	return o.Value, o.Err
}

// awaitBusy panics for a typed await called while the driver's own future for it is still
// pending (another task's await). The message is built only here, out of the await's path,
// so the await itself has no allocation even on TinyGo (make tinygo checks).
func (p *port) awaitBusy(op, kind string) {
	panic("uart: " + names[p.n] + ": " + op + " called while another " + op + " is pending; one " + kind + " at a time: await it first")
}

// AwaitWrite writes buf from a straight-line task (async.Go): WriteAsync and async.Await in
// one call, with the future kept in the driver, so it allocates nothing (see AwaitRead).
func (a *Async) AwaitWrite(t *async.T, buf []byte) (int, error) {
	p := a.get()
	if p.txWrite == &p.awaitWr {
		p.awaitBusy("AwaitWrite", "write")
	}
	p.awaitWr = WriteFuture{c: refOf(p), buf: buf}
	o := async.Await(t, &p.awaitWr)
	return o.Value, o.Err
}

// AwaitFlush waits, from a straight-line task, until the transmitter is idle: FlushAsync
// and async.Await in one call, with the future kept in the driver, so it allocates nothing
// (see AwaitRead). One write or flush at a time, as for FlushAsync.
func (a *Async) AwaitFlush(t *async.T) {
	p := a.get()
	if p.txFlush == &p.awaitFl {
		p.awaitBusy("AwaitFlush", "flush")
	}
	p.awaitFl = FlushFuture{c: refOf(p)}
	async.Await(t, &p.awaitFl)
}

// ReadExactAsync returns a future that fills buf, however many interrupts that takes; it
// completes early with the bytes stored so far and the error if a receive error occurs.
func (a *Async) ReadExactAsync(buf []byte) ReadFuture {
	return ReadFuture{c: refOf(a.get()), buf: buf, exact: true}
}

// Poll completes when the read is done.
func (f *ReadFuture) Poll(cx *async.Context) (async.Outcome[int], bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("uart: poll of a ReadFuture that ReadAsync or ReadExactAsync did not make")
	}
	if o := c.rxOwner; o != nil && o != f {
		c.concurrent(f.op(), o.op(), "read")
	}
	for {
		if err := c.takeRxError(); err != nil {
			return f.finish(err)
		}
		if f.got < len(f.buf) {
			if k := c.pop(f.buf[f.got:]); k > 0 {
				f.got += k
				c.r.INT_CLR.Write(intRxFull)
			}
		}
		if f.got == len(f.buf) || (!f.exact && f.got > 0) {
			return f.finish(nil)
		}
		if c.rxOwner != f {
			f.w.Forget() // the driver was unbound since f armed: start over
			c.rxOwner = f
		}
		if !f.w.Armed() {
			// Arm at the threshold this read needs. Pending arms and returns false: the
			// loop then checks the FIFO once more, so a byte that arrived before the
			// sources were enabled is not waited for. It also returns false when the
			// event happened (disarmed now): look at the FIFO again.
			need := len(f.buf) - f.got
			if uint32(need) > c.rxLevel {
				need = int(c.rxLevel)
			}
			c.setRxThreshold(uint32(need))
		}
		if f.w.Pending(&events[c.n], laneRx, cx, c.rxWaitBits(), intRxFull|intRxTout) {
			return async.Outcome[int]{}, false
		}
	}
}

// op names the method that made the read, for messages.
func (f *ReadFuture) op() string {
	if f.exact {
		return "ReadExactAsync"
	}
	return "ReadAsync"
}

func (f *ReadFuture) finish(err error) (async.Outcome[int], bool) {
	f.disarm()
	f.done = true
	f.res = async.Outcome[int]{Value: f.got, Err: err}
	return f.res, true
}

// disarm disables the read's sources and restores the threshold, if this read armed them.
func (f *ReadFuture) disarm() {
	c := f.c.get()
	if c.rxOwner != f {
		f.w.Forget()
		return
	}
	c.rxOwner = nil
	f.w.Disarm(&events[c.n], rxEvents, intRxFull|intRxTout)
	c.restoreRxThreshold()
}

// Cancel disarms the read; the bytes it already stored stay in its buffer (Stored says how
// many). Polling it again after Cancel resumes the read.
func (f *ReadFuture) Cancel() {
	if f.c.p != nil && !f.done {
		f.disarm()
		events[f.c.get().n].Lanes[laneRx].Unregister()
	}
}

// Stored returns how many bytes the read has stored in its buffer so far.
func (f *ReadFuture) Stored() int { return f.got }

// WriteFuture writes to the UART; *WriteFuture is an async.Future[async.Outcome[int]] that
// completes once every byte is in the TX FIFO (FlushAsync waits for the line). Make one
// with Async.WriteAsync.
type WriteFuture struct {
	c    portRef
	buf  []byte
	n    int
	w    irqevent.Wait
	done bool
}

// WriteAsync returns a future that pushes buf into the TX FIFO, waiting for the
// TXFIFO_EMPTY interrupt (fewer than TxFIFOEmptyThreshold bytes left) whenever it is full.
func (a *Async) WriteAsync(buf []byte) WriteFuture {
	return WriteFuture{c: refOf(a.get()), buf: buf}
}

// Poll completes when the last byte is in the TX FIFO.
func (f *WriteFuture) Poll(cx *async.Context) (async.Outcome[int], bool) {
	if f.done {
		return async.Outcome[int]{Value: f.n}, true
	}
	c := f.c.get()
	if c == nil {
		panic("uart: poll of a WriteFuture that WriteAsync did not make")
	}
	if c.txWrite != nil && c.txWrite != f {
		c.concurrent("WriteAsync", "WriteAsync", "write or flush")
	}
	if c.txFlush != nil {
		c.concurrent("WriteAsync", "FlushAsync", "write or flush")
	}
	for {
		f.n += c.push(f.buf[f.n:])
		if f.n == len(f.buf) {
			f.disarm()
			f.done = true
			return async.Outcome[int]{Value: f.n}, true
		}
		if c.txWrite != f {
			f.w.Forget()
			c.txWrite = f
		}
		if f.w.Pending(&events[c.n], laneTx, cx, intTxEmpty, intTxEmpty) {
			return async.Outcome[int]{}, false
		}
	}
}

// concurrent panics for a future polled while another of the same kind (the one the UART
// has one waker for) is pending on the UART: the second would take over the first's
// wake-up, and the first would never complete. The message is built only here, at the end.
func (c *port) concurrent(second, first, kind string) {
	panic("uart: " + names[c.n] + ": " + second + " polled while a " + first + " is still pending on " +
		names[c.n] + "; one " + kind + " at a time: await the " + first + " (or Cancel it) before starting another")
}

func (f *WriteFuture) disarm() {
	c := f.c.get()
	if c.txWrite != f {
		f.w.Forget()
		return
	}
	c.txWrite = nil
	f.w.Disarm(&events[c.n], intTxEmpty, intTxEmpty)
}

// Cancel disarms the write. The bytes already in the FIFO will still be sent; Written
// says how many.
func (f *WriteFuture) Cancel() {
	if f.c.p != nil && !f.done {
		f.disarm()
		events[f.c.get().n].Lanes[laneTx].Unregister()
	}
}

// Written returns how many bytes are in the TX FIFO (or sent) so far.
func (f *WriteFuture) Written() int { return f.n }

// FlushFuture waits until the transmitter is idle; *FlushFuture is an
// async.Future[error] (always nil). Make one with Async.FlushAsync.
type FlushFuture struct {
	c    portRef
	w    irqevent.Wait
	done bool
}

// FlushAsync returns a future that completes once the TX FIFO is empty and the last stop
// bit has left, waiting for the TX_DONE interrupt.
func (a *Async) FlushAsync() FlushFuture { return FlushFuture{c: refOf(a.get())} }

// Poll completes when the transmitter is idle.
func (f *FlushFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return nil, true
	}
	c := f.c.get()
	if c == nil {
		panic("uart: poll of a FlushFuture that FlushAsync did not make")
	}
	if c.txWrite != nil {
		c.concurrent("FlushAsync", "WriteAsync", "write or flush")
	}
	if c.txFlush != nil && c.txFlush != f {
		c.concurrent("FlushAsync", "FlushAsync", "write or flush")
	}
	for {
		if c.txIdle() {
			f.disarm()
			f.done = true
			return nil, true
		}
		// TX_DONE may be left over from an earlier transfer: arming clears it before
		// enabling; the loop then checks for idle once more, in case the transmitter
		// finished meanwhile.
		if c.txFlush != f {
			f.w.Forget()
			c.txFlush = f
		}
		if f.w.Pending(&events[c.n], laneTx, cx, intTxDone, intTxDone) {
			return nil, false
		}
	}
}

func (f *FlushFuture) disarm() {
	c := f.c.get()
	if c.txFlush != f {
		f.w.Forget()
		return
	}
	c.txFlush = nil
	f.w.Disarm(&events[c.n], intTxDone, intTxDone)
}

// Cancel disarms the flush.
func (f *FlushFuture) Cancel() {
	if f.c.p != nil && !f.done {
		f.disarm()
		events[f.c.get().n].Lanes[laneTx].Unregister()
	}
}

// Compile-time checks that the futures are async futures.
var (
	_ async.Future[async.Outcome[int]] = (*ReadFuture)(nil)
	_ async.Future[async.Outcome[int]] = (*WriteFuture)(nil)
	_ async.Future[error]              = (*FlushFuture)(nil)
)
