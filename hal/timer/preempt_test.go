//go:build !tinygo

package timer

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
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// accessCost is the virtual time of one register access in the preemption test: the k-th
// access after the handler starts happens at start + k·accessCost, and an event due then
// runs before it, so an interrupt it raises is taken just before that access.
const accessCost = 50 * time.Nanosecond

// TestHandlerKeepsEnableBitArmedFromAbove waits for a periodic timer's next tick from
// priority 3 while the alarm handler (priority 1) is at each point of its INT_ST / INT_ENA
// read-modify-write: before its first access, between INT_ST and INT_ENA, between the read
// of INT_ENA and its write. The priority-3 context consumes the tick that raised the
// interrupt and arms a wait for the next one; INT_ENA.T0 must survive the handler. (A
// task's future would be woken by the handler and re-arm on its next poll; the poll here has
// no waker, so a lost bit stays lost, and the next tick raises no interrupt.)
func TestHandlerKeepsEnableBitArmedFromAbove(t *testing.T) {
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("access%d", k), func(t *testing.T) {
			var (
				highRan, inside, active atomic.Bool
				firstDone               atomic.Bool
				highEna, afterEna       atomic.Bool
				runs                    atomic.Int32
				err                     error
				finished                bool
			)
			hal.ResetForTest()
			t.Cleanup(hal.ResetForTest)
			c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute), sim.AccessCost(accessCost))
			const swi = 2
			require.NoError(t, c.Run(func() {
				defer systimer.Stop()
				p, e := hal.Init(hal.Config{})
				require.NoError(t, e)
				pt, e := NewPeriodic(p.TIMG1, Config{})
				require.NoError(t, e)
				a := pt.IntoAsync()
				defer a.Close()
				require.NoError(t, a.Start(200))
				f, next := a.WaitAsync(), a.WaitAsync()
				cx := async.NewContext(0)
				sw, e := swint.Take(swi)
				require.NoError(t, e)
				defer sw.Release()
				sw.Bind(func() {
					sw.Clear()
					_, ok := f.Poll(cx) // the tick that raised the interrupt
					firstDone.Store(ok)
					next.Poll(cx) // and a wait for the next one: INT_ENA.T0 on
					highEna.Store(regs(1).INT_ENA_TIMG.Read().T0_INT_ENA())
					inside.Store(active.Load() && runs.Load() == 1)
					highRan.Store(true)
				}, 3)
				rt.Bind(Source(1), func() {
					if runs.Add(1) == 1 {
						c.RaiseBeforeAccess(swi, k)
					}
					active.Store(true)
					onAlarm(1)
					active.Store(false)
				})
				_, done := f.Poll(cx) // INT_ENA.T0 on
				require.False(t, done)
				for runs.Load() == 0 {
					cs := rt.EnterCritical()
					if runs.Load() == 0 {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
				afterEna.Store(regs(1).INT_ENA_TIMG.Read().T0_INT_ENA())
				// Wait for the next tick (polling from here re-arms whatever was lost).
				for !finished {
					cs := rt.EnterCritical()
					if err, finished = next.Poll(cx); !finished {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
			}))
			require.True(t, highRan.Load(), "the priority-3 context ran")
			require.True(t, inside.Load(), "inside the alarm handler")
			require.True(t, firstDone.Load(), "the priority-3 context consumed the tick")
			require.True(t, highEna.Load(), "the priority-3 wait enabled INT_ENA.T0")
			assert.True(t, afterEna.Load(),
				"INT_ENA.T0 after the alarm handler returned: the enable armed from priority 3 is lost")
			assert.NoError(t, err)
			assert.GreaterOrEqual(t, int(runs.Load()), 2, "the next tick raised its interrupt")
		})
	}
}
