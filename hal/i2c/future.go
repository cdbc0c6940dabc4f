package i2c

import (
	"errors"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// ErrCanceled is what Poll returns for a future that was cancelled.
var ErrCanceled = errors.New("i2c: transfer cancelled")

// source is I2C0's interrupt-matrix source (I2C_EXT0; source 11, I2C_MASTER, is the
// internal analog bus).
const source = rt.Source(esp32c3.IRQ_I2C_EXT0)

// events are I2C0's interrupt registers and the one lane of the future waiting on it
// (hal/internal/irqevent: the interrupt-event shape every async driver shares).
var events = irqevent.Block{
	Regs:   irqevent.RegsOf(&esp32c3.I2C0.INT_ENA, &esp32c3.I2C0.INT_STATUS, &esp32c3.I2C0.INT_CLR, &esp32c3.I2C0.INT_RAW),
	Events: [irqevent.MaxLanes]uint32{intMask},
}

// onInterrupt is I2C0's handler (esp-hal's async_handler): read the pending sources,
// disable them, wake the waiting task (irqevent.Block.Handle). It never allocates.
func onInterrupt() { events.Handle() }

// bindInterrupt is esp-hal's set_interrupt_handler: the source disabled, every event masked
// and cleared, then the handler bound and enabled on the current core.
func (c *engine) bindInterrupt() {
	rt.Disable(source)
	events.Reset(intMask)
	rt.Bind(source, onInterrupt)
	rt.Enable(source, c.t.prio)
}

func (c *engine) unbindInterrupt() {
	rt.Disable(source)
	events.Reset(0)
	rt.Unbind(source)
}

// listen enables the chunk's interrupt sources (in a critical section: the handler
// modifies INT_ENA too).
func (c *engine) listen() { events.Enable(intListen, 0) }

func (c *engine) unlisten() { events.Disable(intListen) }

// Future states.
const (
	futNew = iota
	futRunning
	futDone
)

// Future is an I2C transfer in progress on the Async driver: an async.Future[error] that
// completes with nil or one of the package's errors. The transfer starts on the first
// Poll. Keep the Future at one address from then on, and Cancel it if its result is no
// longer wanted: that disables its interrupt sources and, if a chunk is on the bus, clears
// the bus and resets the controller.
type Future struct {
	c      *engine
	addr   uint16
	inline [2]Operation
	n      int
	ext    []Operation
	x      xfer
	timer  async.Timer
	timed  bool
	state  uint8
	call   uint8 // the method that made the future (callWriteAsync, ...)
	owner  bool  // the future holds the driver's busy flag
	err    error
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
		var err error
		if f.x, err = begin(f.c, f.addr, f.inline, f.n, f.ext); err != nil {
			return f.finish(err), true
		}
		if systimer.Started() {
			f.timer = async.At(async.Instant(f.x.deadline / ticksPerUs))
			f.timed = true
		}
	}
	events.Lanes[0].Register(cx.Waker())
	switch st, flt := f.x.step(); st {
	case stepDone:
		return f.finish(flt.err()), true
	case stepSpin:
		cx.Waker().Wake() // COMMAND_DONE bits still settling: look again soon
		return nil, false
	}
	f.c.listen()
	if f.timed {
		if _, ok := f.timer.Poll(cx); ok {
			f.c.unlisten()
			f.x.abort()
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
	f.c.unlisten()
	f.x.abort()
	f.finish(ErrCanceled)
}

func (f *Future) finish(err error) error {
	f.state, f.err = futDone, err
	if f.owner {
		f.c.unlisten()
		f.owner = false
		f.c.busy.Store(callNone)
	}
	if f.timed {
		f.timer.Cancel()
		f.timed = false
	}
	return err
}
