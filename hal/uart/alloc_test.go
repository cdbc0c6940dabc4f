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
			wake[0].tx.Store(uint32(w))
			a.c.get().enable(intTxEmpty, 0)
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
