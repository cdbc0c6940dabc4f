package dma

import (
	"unsafe"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// waitBits are the events a copy's future waits for.
const waitBits = IntInSucEOF | IntErrors

// events are each channel's interrupt registers and the lane of the future waiting on it
// (hal/internal/irqevent, the interrupt-event shape every async driver shares).
var events = [3]irqevent.Block{
	{Regs: irqevent.RegsOf(&esp32c3.DMA.INT_CH[0].INT_ENA, &esp32c3.DMA.INT_CH[0].INT_ST, &esp32c3.DMA.INT_CH[0].INT_CLR, &esp32c3.DMA.INT_CH[0].INT_RAW),
		Events: [irqevent.MaxLanes]uint32{waitBits}},
	{Regs: irqevent.RegsOf(&esp32c3.DMA.INT_CH[1].INT_ENA, &esp32c3.DMA.INT_CH[1].INT_ST, &esp32c3.DMA.INT_CH[1].INT_CLR, &esp32c3.DMA.INT_CH[1].INT_RAW),
		Events: [irqevent.MaxLanes]uint32{waitBits}},
	{Regs: irqevent.RegsOf(&esp32c3.DMA.INT_CH[2].INT_ENA, &esp32c3.DMA.INT_CH[2].INT_ST, &esp32c3.DMA.INT_CH[2].INT_CLR, &esp32c3.DMA.INT_CH[2].INT_RAW),
		Events: [irqevent.MaxLanes]uint32{waitBits}},
}

// The channels' handlers (esp-hal's handle_in/handle_out): disable what fired and wake the
// waiting task. They never allocate.
func onInterrupt0() { events[0].Handle() }
func onInterrupt1() { events[1].Handle() }
func onInterrupt2() { events[2].Handle() }

var handlers = [3]func(){onInterrupt0, onInterrupt1, onInterrupt2}

func (c *engine) bindInterrupt() {
	src := c.ch.Source()
	rt.Disable(src)
	events[c.ch.n].Reset(intAll)
	rt.Bind(src, handlers[c.ch.n])
	rt.Enable(src, c.prio)
}

func (c *engine) unbindInterrupt() {
	src := c.ch.Source()
	rt.Disable(src)
	events[c.ch.n].Reset(0)
	rt.Unbind(src)
}

const (
	futNew = iota
	futRunning
	futDone
)

// Future is a memory-to-memory copy in progress on the Async driver: an
// async.Future[error]. The copy starts on the first Poll; the future then waits for
// IN_SUC_EOF (or a descriptor error) through the channel's interrupt. Keep the Future at
// one address from its first Poll on, and Cancel it if its result is no longer wanted:
// that disables the interrupt and resets the channel.
type Future struct {
	c        *engine
	dst, src []byte
	descs    []Descriptor
	wait     irqevent.Wait
	timer    async.Timer
	deadline uint64
	timed    bool
	state    uint8
	call     uint8
	owner    bool
	err      error
}

var _ async.Future[error] = (*Future)(nil)

// Poll advances the copy and reports its result once it has finished.
func (f *Future) Poll(cx *async.Context) (error, bool) {
	switch f.state {
	case futDone:
		return f.err, true
	case futNew:
		if !f.c.busy.CompareAndSwap(callNone, uint32(f.call)) {
			f.c.concurrent(f.call)
		}
		f.state, f.owner = futRunning, true
		if err := f.c.start(f.dst, f.src, f.descs); err != nil {
			return f.finish(err), true
		}
		f.deadline = systimer.Ticks() + f.c.timeoutTicks
		if f.timed = systimer.Started(); f.timed {
			f.timer.Reset(async.Instant(f.deadline / systimer.TicksPerMicrosecond))
		}
	}
	b := &events[f.c.ch.n]
	for {
		if done, err := f.c.check(); done {
			return f.finish(err), true
		}
		if f.wait.Pending(b, 0, cx, waitBits, 0) {
			break
		}
	}
	if f.timed {
		if _, ok := f.timer.Poll(cx); ok {
			if done, err := f.c.check(); done {
				return f.finish(err), true
			}
			f.c.ch.Reset()
			return f.finish(ErrTimeout), true
		}
	}
	return nil, false
}

// Cancel stops the copy if it is in progress (the channel is reset); Poll then reports
// ErrCanceled.
func (f *Future) Cancel() {
	if f.state != futRunning {
		return
	}
	f.c.ch.Reset()
	f.finish(ErrCanceled)
}

func (f *Future) finish(err error) error {
	f.state, f.err = futDone, err
	if f.owner {
		f.wait.Disarm(&events[f.c.ch.n], waitBits, 0)
		f.owner = false
		f.c.busy.Store(callNone)
	}
	if f.timed {
		f.timer.Cancel()
		f.timed = false
	}
	return err
}

func sliceData(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }
