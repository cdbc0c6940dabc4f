package i2c

import (
	"errors"
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/i2c"
	"github.com/gohal/gohal/rt"
)

// ErrCanceled is what Poll returns for a future that was cancelled.
var ErrCanceled = errors.New("i2c: transfer cancelled")

// source is I2C0's interrupt-matrix source (I2C_EXT0; source 11, I2C_MASTER, is the
// internal analog bus).
const source = rt.Source(esp32c3.IRQ_I2C_EXT0)

// waker is the waker of the future waiting on I2C0. The interrupt handler reads it; the
// future stores it before it enables the interrupt sources.
var waker atomic.Uint32

// onInterrupt is I2C0's handler (esp-hal's async_handler): read the pending sources,
// disable them, wake the waiting task. It never allocates. The read of INT_STATUS and the
// read-modify-write of INT_ENA are one critical section: a future polled at a higher
// priority may enable the next chunk's sources (the same bits) in between, and the write
// would disable them again.
func onInterrupt() {
	r := esp32c3.I2C0
	cs := rt.EnterCritical()
	pending := uint32(r.INT_STATUS.Read())
	if pending != 0 {
		r.INT_ENA.Write(i2c.INT_ENAValue(uint32(r.INT_ENA.Read()) &^ pending))
	}
	cs.Exit()
	if pending != 0 {
		async.Waker(waker.Load()).Wake()
	}
}

// bindInterrupt is esp-hal's set_interrupt_handler: the source disabled, every event masked
// and cleared, then the handler bound and enabled on the current core.
func (c *engine) bindInterrupt() {
	rt.Disable(source)
	esp32c3.I2C0.INT_ENA.Write(0)
	esp32c3.I2C0.INT_CLR.Write(intMask)
	rt.Bind(source, onInterrupt)
	rt.Enable(source, c.t.prio)
}

func (c *engine) unbindInterrupt() {
	rt.Disable(source)
	esp32c3.I2C0.INT_ENA.Write(0)
	rt.Bind(source, nil)
}

// listen enables the chunk's interrupt sources. The read-modify-write of INT_ENA runs in a
// critical section, as the handler modifies it too.
func (c *engine) listen() {
	cs := rt.EnterCritical()
	esp32c3.I2C0.INT_ENA.Write(esp32c3.I2C0.INT_ENA.Read() | intListen)
	cs.Exit()
}

func (c *engine) unlisten() {
	cs := rt.EnterCritical()
	esp32c3.I2C0.INT_ENA.Write(esp32c3.I2C0.INT_ENA.Read() &^ intListen)
	cs.Exit()
}

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
	waker.Store(uint32(cx.Waker()))
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
