//go:build !tinygo

package gpio

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
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// accessCost is the virtual time of one register access in the preemption test: the k-th
// access after the handler starts happens at start + k·accessCost, and an event due then
// runs before it, so an interrupt it raises is taken just before that access.
const accessCost = 50 * time.Nanosecond

// TestHandlerKeepsWaitArmedFromAbove cancels a pin's wait and arms a new one on the same
// pin from priority 3 while the GPIO handler (priority 1) is at each point of its work on
// the pin that fired: before its first access, between PCPU_INT and the read of PINn,
// between that read and the write of PINn, before the STATUS clear. The new wait must stay
// armed (PINn listening, its async bit set) and complete on its own edge, not on the old
// one.
func TestHandlerKeepsWaitArmedFromAbove(t *testing.T) {
	const pin = 4
	for k := 1; k <= 4; k++ {
		t.Run(fmt.Sprintf("access%d", k), func(t *testing.T) {
			var (
				highRan, inside, active atomic.Bool
				highArmed               atomic.Bool
				runs                    atomic.Int32
				listening, stillArmed   bool
				early, completed        bool
				completedAt             time.Duration
			)
			hal.ResetForTest()
			t.Cleanup(hal.ResetForTest)
			c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute), sim.AccessCost(accessCost))
			c.GPIO().DriveAt(1*time.Millisecond, pin, true) // the first wait's edge
			c.GPIO().DriveAt(2*time.Millisecond, pin, false)
			c.GPIO().DriveAt(3*time.Millisecond, pin, true) // the second wait's edge
			const swi = 2
			require.NoError(t, c.Run(func() {
				defer systimer.Stop()
				p, e := hal.Init(hal.Config{})
				require.NoError(t, e)
				in, e := NewInput(p.GPIO4, InputConfig{Pull: PullDown})
				require.NoError(t, e)
				a := in.IntoAsync()
				defer a.Close()
				f := a.WaitForRisingEdge()
				cx := async.NewContext(0)
				sw, e := swint.Take(swi)
				require.NoError(t, e)
				defer sw.Release()
				sw.Bind(func() {
					sw.Clear()
					f.Cancel() // given up on (a timeout, say) ...
					f.Poll(cx) // ... and waited for again: a new rising edge
					highArmed.Store(esp32c3.GPIO.PIN[pin].Read().INT_ENA() == intEnaCPU && asyncMask.Load()&(1<<pin) != 0)
					inside.Store(active.Load() && runs.Load() == 1)
					highRan.Store(true)
				}, 3)
				rt.Bind(Source, func() {
					if runs.Add(1) == 1 {
						c.RaiseBeforeAccess(swi, k)
					}
					active.Store(true)
					onInterrupt()
					active.Store(false)
				})
				_, done := f.Poll(cx) // armed
				require.False(t, done)
				for runs.Load() == 0 {
					cs := rt.EnterCritical()
					if runs.Load() == 0 {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
				cs := rt.EnterCritical()
				listening = esp32c3.GPIO.PIN[pin].Read().INT_ENA() == intEnaCPU
				stillArmed = asyncMask.Load()&(1<<pin) != 0
				_, early = f.Poll(cx)
				cs.Exit()
				for !completed {
					cs := rt.EnterCritical()
					if _, completed = f.Poll(cx); !completed {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
				completedAt = c.Now()
			}))
			require.True(t, highRan.Load(), "the priority-3 context ran")
			require.True(t, inside.Load(), "inside the GPIO handler")
			require.True(t, highArmed.Load(), "the priority-3 context armed the new wait")
			assert.True(t, listening, "after the GPIO handler returned, the pin listens for the new wait")
			assert.True(t, stillArmed, "and the new wait's async bit is set")
			assert.False(t, early, "the new wait completed on the edge before it was armed")
			assert.Greater(t, completedAt, 3*time.Millisecond, "the new wait completes on its own edge")
		})
	}
}
