//go:build !tinygo

package uart

import (
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// accessCost is the virtual time of one register access in the preemption test: the k-th
// access after the handler starts happens at start + k·accessCost, and an event due then
// runs before it, so an interrupt it raises is taken just before that access.
const accessCost = 50 * time.Nanosecond

// TestHandlerKeepsReadArmedFromAbove arms a read from priority 3 while the UART handler
// (priority 1), serving a write's TXFIFO_EMPTY, is at each point of its INT_ST / INT_ENA
// read-modify-write: before its first access, between INT_ST and INT_ENA, between the read
// of INT_ENA and its write. The handler wakes only the writer, so a read whose enable bits
// it wrote back off would never be woken: they must survive it, and the read completes by
// its own interrupt.
func TestHandlerKeepsReadArmedFromAbove(t *testing.T) {
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("access%d", k), func(t *testing.T) {
			var (
				highRan, inside, active atomic.Bool
				highEna                 atomic.Uint32
				runs                    atomic.Int32
				afterEna, want          uint32
				got                     async.Outcome[int]
				read, wrote             bool
			)
			hal.ResetForTest()
			t.Cleanup(hal.ResetForTest)
			c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute), sim.AccessCost(accessCost))
			c.UART(0).FeedAt(20*time.Millisecond, 'h', 'i')
			const swi = 2
			buf := make([]byte, 2)
			require.NoError(t, c.Run(func() {
				p, e := hal.Init(hal.Config{NoTimeDriver: true})
				require.NoError(t, e)
				b, e := New(p.UART0, Config{Baud: 115200}, p.GPIO21, p.GPIO20)
				require.NoError(t, e)
				a := b.IntoAsync()
				defer a.IntoBlocking()
				fs := &struct {
					r ReadFuture
					w WriteFuture
				}{a.ReadAsync(buf), a.WriteAsync(make([]byte, 2*FIFOSize))}
				cx := async.NewContext(0)
				want = a.get().rxWaitBits()
				sw, e := swint.Take(swi)
				require.NoError(t, e)
				defer sw.Release()
				sw.Bind(func() {
					sw.Clear()
					fs.r.Poll(cx) // the read arms its RX sources
					highEna.Store(uint32(regsOf(0).INT_ENA.Read()))
					inside.Store(active.Load() && runs.Load() == 1)
					highRan.Store(true)
				}, 3)
				rt.Bind(source(0), func() {
					if runs.Add(1) == 1 {
						c.RaiseBeforeAccess(swi, k)
					}
					active.Store(true)
					onInterrupt(0)
					active.Store(false)
				})
				_, done := fs.w.Poll(cx) // the FIFO is full: TXFIFO_EMPTY on
				require.False(t, done)
				for runs.Load() == 0 {
					cs := rt.EnterCritical()
					if runs.Load() == 0 {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
				afterEna = uint32(regsOf(0).INT_ENA.Read())
				// The read is left to its interrupt; the write is polled from here.
				for !read || !wrote {
					cs := rt.EnterCritical()
					if !wrote {
						_, wrote = fs.w.Poll(cx)
					}
					if !read && highRan.Load() && uint32(regsOf(0).INT_ENA.Read())&want != want {
						got, read = fs.r.Poll(cx) // the handler disabled the read's sources: it fired
					}
					if !read || !wrote {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
			}))
			require.True(t, highRan.Load(), "the priority-3 context ran")
			require.True(t, inside.Load(), "inside the UART handler")
			require.Equal(t, want, highEna.Load()&want, "the priority-3 read enabled its sources")
			assert.Equal(t, want, afterEna&want,
				"INT_ENA after the UART handler returned: the read's enable bits armed from priority 3 are lost")
			assert.Equal(t, async.Outcome[int]{Value: 2}, got)
			assert.Equal(t, "hi", string(buf))
		})
	}
}
