//go:build !tinygo

package uart

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// spurious is a task that only counts its polls: the wake target of the handler test.
type spurious struct{ polls int }

func (s *spurious) Poll(*async.Context) bool { s.polls++; return false }

// TestAsyncPathsDoNotAllocate measures, on the simulator, the allocations of the paths that
// run per wake: a read that completes from the FIFO, a read that arms and is polled again
// spuriously and cancelled, a write that arms on a full FIFO, and the interrupt handler
// waking a task that the executor then polls. Each is measured while the simulated UART is
// quiet, so the simulator's own bookkeeping (which allocates events) does not run.
func TestAsyncPathsDoNotAllocate(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var readDone, readArm, writeArm, handler float64
	var handlerPolls int
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	require.NoError(t, c.Run(func() {
		p, err := hal.Init(hal.Config{NoTimeDriver: true})
		if err != nil {
			panic(err)
		}
		b, err := New(p.UART0, Config{Baud: 57600, NoRxTimeout: true}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		cx := async.NewContext(0)
		buf := make([]byte, 8)
		// The futures live where a task keeps them: in a long-lived struct. (A future in a
		// local variable escapes, since an armed future is recorded in the driver.)
		fs := new(struct {
			r ReadFuture
			w WriteFuture
		})

		// Fill the RX FIFO and let the line go quiet (no RX timeout is configured, so
		// nothing is scheduled after the last frame).
		c.UART(0).Feed(make([]byte, FIFOSize)...)
		for c.UART(0).RXPending() > 0 {
			a.Buffered()
		}
		readDone = testing.AllocsPerRun(100, func() {
			fs.r = a.ReadAsync(buf[:1])
			if _, ok := fs.r.Poll(cx); !ok {
				panic("read did not complete from a full FIFO")
			}
		})
		a.ReadExact(make([]byte, a.Buffered())) // empty it
		readArm = testing.AllocsPerRun(100, func() {
			fs.r = a.ReadAsync(buf)
			fs.r.Poll(cx)
			fs.r.Poll(cx)
			fs.r.Cancel()
		})

		// 57600 baud: a frame takes 174 µs, longer than the 101 runs below (about 10 register
		// accesses of 50 ns each), so the FIFO stays full while this is measured.
		a.Write(make([]byte, FIFOSize))
		writeArm = testing.AllocsPerRun(100, func() {
			fs.w = a.WriteAsync(buf)
			if _, ok := fs.w.Poll(cx); ok {
				panic("write completed on a full FIFO")
			}
			fs.w.Cancel()
		})

		// The handler: TXFIFO_EMPTY is raw-set once the FIFO drains below 10 bytes. Enable
		// it inside a critical section and run the handler by hand, waking a real task.
		a.Flush()
		ex, err := async.New(async.Config{Tasks: 1})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		task := &spurious{}
		w, _ := ex.Spawner().Spawn(task)
		ex.Poll()
		handler = testing.AllocsPerRun(100, func() {
			cs := rt.EnterCritical()
			events[0].Arm(laneTx, w, intTxEmpty, 0)
			onInterrupt(0)
			cs.Exit()
			ex.Poll()
		})
		handlerPolls = task.polls
		a.Close()
	}))
	assert.Zero(t, readDone, "ReadAsync completing from the FIFO")
	assert.Zero(t, readArm, "ReadAsync arming, a spurious poll, Cancel")
	assert.Zero(t, writeArm, "WriteAsync arming on a full FIFO, Cancel")
	assert.Zero(t, handler, "the interrupt handler waking a task, and the executor polling it")
	assert.Greater(t, handlerPolls, 100, "the handler did wake the task")
}

// gate is a future a test opens from outside a straight-line task: the task awaits it
// between two measured awaits, so AllocsPerRun measures one await each.
type gate struct {
	open  bool
	waker async.Waker
}

func (g *gate) Poll(cx *async.Context) (struct{}, bool) {
	if g.open {
		g.open = false
		return struct{}{}, true
	}
	g.waker = cx.Waker()
	return struct{}{}, false
}
func (g *gate) Cancel() {}

// The typed awaits of a straight-line task allocate nothing: the futures live in the driver
// (issue 13: "rd := ua.ReadAsync(buf); async.Await(t, &rd)" allocated once per await).
func TestTypedAwaitsDoNotAllocate(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var reads, writes, flushes float64
	var got int
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	require.NoError(t, c.Run(func() {
		p, err := hal.Init(hal.Config{NoTimeDriver: true})
		if err != nil {
			panic(err)
		}
		b, err := New(p.UART0, Config{Baud: 57600, NoRxTimeout: true}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		c.UART(0).Feed(make([]byte, FIFOSize)...)
		for c.UART(0).RXPending() > 0 {
			a.Buffered()
		}
		ex, err := async.New(async.Config{Tasks: 1})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		g := &gate{}
		buf := make([]byte, 1)
		mode := 0 // 0: read, 1: write, 2: flush
		_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
			for {
				async.Await(t, g)
				if mode == 0 {
					n, err := a.AwaitRead(t, buf) // completes from the full FIFO
					if err != nil || n != 1 {
						panic("AwaitRead")
					}
					got++
				} else if mode == 1 {
					if _, err := a.AwaitWrite(t, buf); err != nil { // room in the TX FIFO
						panic("AwaitWrite")
					}
				} else {
					a.AwaitFlush(t) // the transmitter is idle
				}
			}
		}))
		if err != nil {
			panic(err)
		}
		ex.Poll()
		step := func() { g.open = true; g.waker.Wake(); ex.Poll() }
		reads = testing.AllocsPerRun(100, step)
		mode = 1
		writes = testing.AllocsPerRun(20, step)
		a.Flush()
		mode = 2
		flushes = testing.AllocsPerRun(20, step)
		a.Close()
	}))
	assert.Zero(t, reads, "AwaitRead")
	assert.Zero(t, writes, "AwaitWrite")
	assert.Zero(t, flushes, "AwaitFlush")
	assert.Equal(t, 101, got, "every await read a byte")
}

// Two straight-line tasks awaiting reads on one UART: the second panics at once, naming the
// UART, instead of overwriting the first's armed future in the driver.
func TestTwoAwaitReadsAtOncePanic(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var reported []async.TaskPanic
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	require.NoError(t, c.Run(func() {
		p, err := hal.Init(hal.Config{NoTimeDriver: true})
		if err != nil {
			panic(err)
		}
		b, err := New(p.UART0, Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		ex, err := async.New(async.Config{Tasks: 2, OnPanic: func(tp async.TaskPanic) { reported = append(reported, tp) }})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		for i := 0; i < 2; i++ {
			_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
				buf := make([]byte, 1)
				a.AwaitRead(t, buf) // nothing arrives: the first waits
			}))
			if err != nil {
				panic(err)
			}
		}
		ex.Poll()
	}))
	require.Len(t, reported, 1)
	assert.Equal(t, "uart: UART0: AwaitRead called while another AwaitRead is pending; one read at a time: await it first", reported[0].Value)
}
