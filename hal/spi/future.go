package spi

import (
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/spi2"
	"github.com/gohal/gohal/rt"
)

// source is SPI2's interrupt-matrix source.
const source = rt.Source(esp32c3.IRQ_SPI2)

// waker is the waker of the future waiting on SPI2, read by the interrupt handler.
var waker atomic.Uint32

// onInterrupt is SPI2's handler (esp-hal's handle_async): disable the sources that fired
// (TRANS_DONE is the only one the driver enables) and wake the waiting task. It never
// allocates. The read of DMA_INT_ST and the read-modify-write of DMA_INT_ENA are one
// critical section: a future polled at a higher priority may start the next chunk and
// enable TRANS_DONE again in between, and the write would disable it.
func onInterrupt() {
	r := esp32c3.SPI2
	cs := rt.EnterCritical()
	pending := uint32(r.SPI_DMA_INT_ST.Read())
	if pending != 0 {
		r.SPI_DMA_INT_ENA.Write(spi2.SPI_DMA_INT_ENAValue(uint32(r.SPI_DMA_INT_ENA.Read()) &^ pending))
	}
	cs.Exit()
	if pending != 0 {
		async.Waker(waker.Load()).Wake()
	}
}

// bindInterrupt disables the source, masks and clears the events, then binds the handler
// and enables it on the current core (esp-hal's set_interrupt_handler).
func (c *engine) bindInterrupt() {
	rt.Disable(source)
	esp32c3.SPI2.SPI_DMA_INT_ENA.Write(0)
	esp32c3.SPI2.SPI_DMA_INT_CLR.Write(spi2.SPI_DMA_INT_CLRValue(intDone))
	rt.Bind(source, onInterrupt)
	rt.Enable(source, c.k.prio)
}

func (c *engine) unbindInterrupt() {
	rt.Disable(source)
	esp32c3.SPI2.SPI_DMA_INT_ENA.Write(0)
	rt.Bind(source, nil)
}

// listen enables TRANS_DONE; the read-modify-write runs in a critical section, as the
// handler modifies the register too.
func (c *engine) listen(on bool) {
	cs := rt.EnterCritical()
	v := uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read()) &^ intDone
	if on {
		v |= intDone
	}
	esp32c3.SPI2.SPI_DMA_INT_ENA.Write(spi2.SPI_DMA_INT_ENAValue(v))
	cs.Exit()
}

const (
	futNew = iota
	futRunning
	futDone
)

// Future is an SPI transfer in progress on the Async driver: an async.Future[error]. The
// transfer starts on the first Poll; each chunk waits for TRANS_DONE through the
// interrupt (esp-hal's SpiFuture: if USR is still set, register the waker and enable
// TRANS_DONE). Keep the Future at one address from its first Poll on, and Cancel it if its
// result is no longer wanted: that disables TRANS_DONE and resets the controller if a chunk
// is on the bus.
type Future struct {
	c     *engine
	w, r  []byte
	x     xfer
	timer async.Timer
	timed bool
	chunk int // the chunk the timer was armed for
	state uint8
	call  uint8 // the method that made the future (callTransferAsync, ...)
	owner bool
	err   error
}

var _ async.Future[error] = (*Future)(nil)

// Poll advances the transfer and reports its result once it has finished.
func (f *Future) Poll(cx *async.Context) (error, bool) {
	switch f.state {
	case futDone:
		return f.err, true
	case futNew:
		if !f.c.busy.CompareAndSwap(callNone, uint32(f.call)) {
			f.c.concurrent(f.call)
		}
		f.state = futRunning
		f.owner = true
		f.x = begin(f.c, f.w, f.r)
		f.timed = systimer.Started()
	}
	waker.Store(uint32(cx.Waker()))
	st, err := f.x.step()
	if st == stepDone {
		return f.finish(err), true
	}
	f.c.listen(true)
	// TRANS_DONE may have come before the enable: then the level interrupt fires now and
	// wakes the task again, so nothing is lost.
	if f.timed {
		if f.chunk != f.x.chunks {
			f.chunk = f.x.chunks
			f.timer.Reset(async.Instant(f.x.deadline / ticksPerUs))
		}
		if _, ok := f.timer.Poll(cx); ok && esp32c3.SPI2.SPI_CMD.Read()&cmdUSR != 0 {
			f.c.listen(false)
			f.x.inflight = false
			f.c.reset()
			return f.finish(ErrTimeout), true
		}
	}
	return nil, false
}

// Cancel stops the transfer if it is in progress; Poll then reports ErrCanceled.
func (f *Future) Cancel() {
	if f.state != futRunning {
		return
	}
	f.c.listen(false)
	f.x.abort()
	f.finish(ErrCanceled)
}

func (f *Future) finish(err error) error {
	f.state, f.err = futDone, err
	if f.owner {
		f.c.listen(false)
		f.owner = false
		f.c.busy.Store(callNone)
	}
	if f.timed {
		f.timer.Cancel()
		f.timed = false
	}
	return err
}
