package usbserial

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// Async is the driver in async mode: the Blocking methods (Read, Write, Flush, io.Reader,
// io.Writer) plus futures driven by the USB_DEVICE interrupt. Get one with
// Blocking.IntoAsync.
type Async struct{ drv }

// The lanes of the interrupt events: the task reading, and the one writing or flushing.
const (
	laneRx = 0
	laneTx = 1
)

// events are the controller's interrupt registers and the wakers of its reader and writer
// (hal/internal/irqevent).
var events = irqevent.Block{
	Regs: irqevent.RegsOf(&esp32c3.USB_DEVICE.INT_ENA, &esp32c3.USB_DEVICE.INT_ST,
		&esp32c3.USB_DEVICE.INT_CLR, &esp32c3.USB_DEVICE.INT_RAW),
	Events: [irqevent.MaxLanes]uint32{laneRx: intOutRecvPkt, laneTx: intInEmpty},
}

// onInterrupt is the USB_DEVICE handler: disable what fired, wake the waiters.
func onInterrupt() { events.Handle() }

const source = rt.Source(esp32c3.IRQ_USB_DEVICE)

// IntoAsync returns the driver in async mode, binding the USB_DEVICE interrupt on the
// current core at Config.InterruptPriority. b is consumed.
func (b *Blocking) IntoAsync() *Async {
	c := b.take("IntoAsync")
	events.Reset(intSerial)
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

func (c *port) unbind() {
	events.Reset(intSerial)
	rt.Disable(source)
	rt.Unbind(source)
	if c.txWrite != nil {
		c.txWrite.tx.progress()
	}
	if c.txFlush != nil {
		c.txFlush.tx.progress()
	}
	c.rxOwner, c.txWrite, c.txFlush = nil, nil, nil
	c.async = false
}

// concurrent panics for a future polled while another of its kind is pending. The message
// is built only here.
func (c *port) concurrent(second, first, kind string) {
	panic("usbserial: " + second + " polled while a " + first + " is still pending; one " + kind +
		" at a time: await the " + first + " (or Cancel it) before starting another")
}

func (c *port) awaitBusy(op, kind string) {
	panic("usbserial: " + op + " called while another " + op + " is pending; one " + kind + " at a time: await it first")
}

// ReadFuture reads from the host; *ReadFuture is an async.Future[async.Outcome[int]]. Make
// one with Async.ReadAsync and keep it at one address while it is polled.
type ReadFuture struct {
	c    portRef
	buf  []byte
	w    irqevent.Wait
	done bool
	res  async.Outcome[int]
}

// ReadAsync returns a future that reads what the OUT FIFO holds into buf, waiting (for
// SERIAL_OUT_RECV_PKT) until the host has sent something. An empty buf completes at once.
func (a *Async) ReadAsync(buf []byte) ReadFuture { return ReadFuture{c: refOf(a.get()), buf: buf} }

// Poll completes when at least one byte has been read.
func (f *ReadFuture) Poll(cx *async.Context) (async.Outcome[int], bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("usbserial: poll of a ReadFuture that ReadAsync did not make")
	}
	if o := c.rxOwner; o != nil && o != f {
		c.concurrent("ReadAsync", "ReadAsync", "read")
	}
	for {
		if n := c.drain(f.buf); n > 0 || len(f.buf) == 0 {
			f.disarm()
			f.done = true
			f.res = async.Outcome[int]{Value: n}
			return f.res, true
		}
		if c.rxOwner != f {
			f.w.Forget() // the driver was unbound since f armed: start over
			c.rxOwner = f
		}
		// Pending arms (clearing a stale RECV_PKT first) and returns false: the loop then
		// looks at the FIFO once more, so a packet that arrived before the arming is not
		// waited for.
		if f.w.Pending(&events, laneRx, cx, intOutRecvPkt, intOutRecvPkt) {
			return async.Outcome[int]{}, false
		}
	}
}

func (f *ReadFuture) disarm() {
	c := f.c.get()
	if c.rxOwner != f {
		f.w.Forget()
		return
	}
	c.rxOwner = nil
	f.w.Disarm(&events, intOutRecvPkt, intOutRecvPkt)
}

// Cancel disarms the read. Polling it again resumes it.
func (f *ReadFuture) Cancel() {
	if f.c.p != nil && !f.done {
		f.disarm()
		events.Lanes[laneRx].Unregister()
	}
}

// AwaitRead reads into buf from a straight-line task (async.Go): ReadAsync and async.Await
// in one call, with the future kept in the driver, so it allocates nothing.
func (a *Async) AwaitRead(t *async.T, buf []byte) (int, error) {
	p := a.get()
	if p.rxOwner == &p.awaitRd {
		p.awaitBusy("AwaitRead", "read")
	}
	p.awaitRd = ReadFuture{c: refOf(p), buf: buf}
	o := async.Await(t, &p.awaitRd)
	return o.Value, o.Err
}

// txWait is what a write and a flush share: the SERIAL_IN_EMPTY wait and the write-timeout
// timer.
type txWait struct {
	w      irqevent.Wait
	timer  async.Timer
	timing bool // timer armed for the current deadline
}

// wait is called when the IN FIFO has no room. It returns done with the timeout when the
// host has read nothing for WriteTimeout, or pending when the future must wait (the
// SERIAL_IN_EMPTY interrupt and the timer are armed). Both false: look at the FIFO again.
func (w *txWait) wait(c *port, cx *async.Context) (pending, timedOut bool) {
	if c.timedOut() {
		return false, true
	}
	if systimer.Started() {
		if !w.timing {
			// The deadline rounded up to the time driver's microseconds, so that the timer
			// firing means the deadline has passed.
			d := c.deadline()
			w.timer.Reset(async.Instant((d + systimer.TicksPerMicrosecond - 1) / systimer.TicksPerMicrosecond))
			w.timing = true
		}
		if _, ok := w.timer.Poll(cx); ok {
			w.timing = false
			return false, true
		}
	}
	if w.w.Pending(&events, laneTx, cx, intInEmpty, intInEmpty) {
		return true, false
	}
	return false, false
}

// progress forgets the timer's deadline: the FIFO took bytes, the deadline moved.
func (w *txWait) progress() {
	if w.timing {
		w.timer.Cancel()
		w.timing = false
	}
}

func (w *txWait) disarm() {
	w.w.Disarm(&events, intInEmpty, 0)
	w.progress()
}

// WriteFuture writes to the host; *WriteFuture is an async.Future[async.Outcome[int]]. Make
// one with Async.WriteAsync.
type WriteFuture struct {
	c    portRef
	buf  []byte
	n    int
	tx   txWait
	done bool
	res  async.Outcome[int]
}

// WriteAsync returns a future that writes buf as Write does, a packet at a time, waiting
// for SERIAL_IN_EMPTY (the host has read the packet) whenever the FIFO has no room, and
// hands the last packet over with WR_DONE. It completes with ErrWriteTimeout and the count
// written if the host reads nothing for Config.WriteTimeout; the rest is dropped.
func (a *Async) WriteAsync(buf []byte) WriteFuture {
	return WriteFuture{c: refOf(a.get()), buf: buf}
}

// Poll completes when every byte is in the FIFO and handed over, or at the timeout.
func (f *WriteFuture) Poll(cx *async.Context) (async.Outcome[int], bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("usbserial: poll of a WriteFuture that WriteAsync did not make")
	}
	if c.txWrite != nil && c.txWrite != f {
		c.concurrent("WriteAsync", "WriteAsync", "write or flush")
	}
	if c.txFlush != nil {
		c.concurrent("WriteAsync", "FlushAsync", "write or flush")
	}
	for {
		if f.n < len(f.buf) && c.free() {
			f.n += c.push(f.buf[f.n:])
			f.tx.progress()
			continue
		}
		if f.n == len(f.buf) {
			c.commit()
			return f.finish(nil)
		}
		if c.txWrite != f {
			f.tx.w.Forget()
			f.tx.timing = false
			c.txWrite = f
		}
		pending, timedOut := f.tx.wait(c, cx)
		if timedOut {
			c.dropped += len(f.buf) - f.n
			return f.finish(ErrWriteTimeout)
		}
		if pending {
			return async.Outcome[int]{}, false
		}
	}
}

func (f *WriteFuture) finish(err error) (async.Outcome[int], bool) {
	f.disarm()
	f.done = true
	f.res = async.Outcome[int]{Value: f.n, Err: err}
	return f.res, true
}

func (f *WriteFuture) disarm() {
	c := f.c.get()
	if c.txWrite != f {
		f.tx.w.Forget()
		f.tx.progress()
		return
	}
	c.txWrite = nil
	f.tx.disarm()
}

// Cancel disarms the write. The bytes already in the FIFO stay there (Written says how
// many); a partial packet is handed to the host by the next write or flush.
func (f *WriteFuture) Cancel() {
	if f.c.p != nil && !f.done {
		f.disarm()
		events.Lanes[laneTx].Unregister()
	}
}

// Written returns how many bytes are in the FIFO (or sent) so far.
func (f *WriteFuture) Written() int { return f.n }

// AwaitWrite writes buf from a straight-line task: WriteAsync and async.Await in one call,
// with the future kept in the driver, so it allocates nothing.
func (a *Async) AwaitWrite(t *async.T, buf []byte) (int, error) {
	p := a.get()
	if p.txWrite == &p.awaitWr {
		p.awaitBusy("AwaitWrite", "write")
	}
	p.awaitWr = WriteFuture{c: refOf(p), buf: buf}
	o := async.Await(t, &p.awaitWr)
	return o.Value, o.Err
}

// FlushFuture waits until the host has read everything written; *FlushFuture is an
// async.Future[error]: nil, or ErrWriteTimeout. Make one with Async.FlushAsync.
type FlushFuture struct {
	c    portRef
	tx   txWait
	done bool
	res  error
}

// FlushAsync returns a future that hands a partial packet to the host (WR_DONE) and
// completes once the host has read it, waiting for SERIAL_IN_EMPTY.
func (a *Async) FlushAsync() FlushFuture { return FlushFuture{c: refOf(a.get())} }

// Poll completes when the IN FIFO is empty and free, or at the timeout.
func (f *FlushFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return f.res, true
	}
	c := f.c.get()
	if c == nil {
		panic("usbserial: poll of a FlushFuture that FlushAsync did not make")
	}
	if c.txWrite != nil {
		c.concurrent("FlushAsync", "WriteAsync", "write or flush")
	}
	if c.txFlush != nil && c.txFlush != f {
		c.concurrent("FlushAsync", "FlushAsync", "write or flush")
	}
	c.commit()
	for {
		if c.free() {
			return f.finish(nil)
		}
		if c.txFlush != f {
			f.tx.w.Forget()
			f.tx.timing = false
			c.txFlush = f
		}
		pending, timedOut := f.tx.wait(c, cx)
		if timedOut {
			return f.finish(ErrWriteTimeout)
		}
		if pending {
			return nil, false
		}
	}
}

func (f *FlushFuture) finish(err error) (error, bool) {
	c := f.c.get()
	if c.txFlush == f {
		c.txFlush = nil
		f.tx.disarm()
	} else {
		f.tx.w.Forget()
		f.tx.progress()
	}
	f.done = true
	f.res = err
	return err, true
}

// Cancel disarms the flush.
func (f *FlushFuture) Cancel() {
	if f.c.p != nil && !f.done {
		c := f.c.get()
		if c.txFlush == f {
			c.txFlush = nil
			f.tx.disarm()
		}
		events.Lanes[laneTx].Unregister()
	}
}

// AwaitFlush waits, from a straight-line task, until the host has read everything written:
// FlushAsync and async.Await in one call, with the future kept in the driver.
func (a *Async) AwaitFlush(t *async.T) error {
	p := a.get()
	if p.txFlush == &p.awaitFl {
		p.awaitBusy("AwaitFlush", "flush")
	}
	p.awaitFl = FlushFuture{c: refOf(p)}
	return async.Await(t, &p.awaitFl)
}

// Compile-time checks that the futures are async futures.
var (
	_ async.Future[async.Outcome[int]] = (*ReadFuture)(nil)
	_ async.Future[async.Outcome[int]] = (*WriteFuture)(nil)
	_ async.Future[error]              = (*FlushFuture)(nil)
)
