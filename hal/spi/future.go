package spi

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// source is SPI2's interrupt-matrix source.
const source = rt.Source(esp32c3.IRQ_SPI2)

// events are SPI2's interrupt registers and the one lane of the future waiting on it
// (hal/internal/irqevent: the interrupt-event shape every async driver shares). TRANS_DONE
// is the only source the driver enables.
var events = irqevent.Block{
	Regs:   irqevent.RegsOf(&esp32c3.SPI2.SPI_DMA_INT_ENA, &esp32c3.SPI2.SPI_DMA_INT_ST, &esp32c3.SPI2.SPI_DMA_INT_CLR, &esp32c3.SPI2.SPI_DMA_INT_RAW),
	Events: [irqevent.MaxLanes]uint32{intDone},
}

// onInterrupt is SPI2's handler (esp-hal's handle_async): disable the sources that fired and
// wake the waiting task (irqevent.Block.Handle). It never allocates.
func onInterrupt() { events.Handle() }

// bindInterrupt disables the source, masks and clears the events, then binds the handler
// and enables it on the current core (esp-hal's set_interrupt_handler).
func (c *engine) bindInterrupt() {
	rt.Disable(source)
	events.Reset(intDone)
	rt.Bind(source, onInterrupt)
	rt.Enable(source, c.k.prio)
}

func (c *engine) unbindInterrupt() {
	rt.Disable(source)
	events.Reset(0)
	rt.Unbind(source)
}

// listen enables or disables TRANS_DONE (in a critical section: the handler modifies the
// register too).
func (c *engine) listen(on bool) {
	if on {
		events.Enable(intDone, 0)
	} else {
		events.Disable(intDone)
	}
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
	events.Lanes[0].Register(cx.Waker())
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
