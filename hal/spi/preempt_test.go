package spi

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

// TestHandlerKeepsEnableBitArmedFromAbove arms a transfer's next chunk from priority 3
// while the SPI2 handler (priority 1) is at each point of its DMA_INT_ST / DMA_INT_ENA
// read-modify-write: before its first access, between the status and the enable register,
// between the read of DMA_INT_ENA and its write. The TRANS_DONE enable the priority-3 poll
// set must survive the handler. (A task's future would be woken by the handler and re-arm
// on its next poll; the poll here has no waker, so a lost bit stays lost.)
func TestHandlerKeepsEnableBitArmedFromAbove(t *testing.T) {
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("access%d", k), func(t *testing.T) {
			var (
				highRan, inside, active atomic.Bool
				highEna, afterEna       atomic.Uint32
				runs                    atomic.Int32
				err                     error
				finished                bool
			)
			hal.ResetForTest()
			t.Cleanup(hal.ResetForTest)
			c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute), sim.AccessCost(accessCost))
			echo := sim.NewSPIEcho(true)
			c.SPI2().Attach(echo)
			const swi = 2
			buf := make([]byte, ChunkSize+36) // two chunks
			for i := range buf {
				buf[i] = byte(i)
			}
			require.NoError(t, c.Run(func() {
				defer systimer.Stop()
				p, e := hal.Init(hal.Config{})
				require.NoError(t, e)
				b, e := New(p.SPI2, Config{Frequency: 1_000_000}, Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2})
				require.NoError(t, e)
				a := b.IntoAsync()
				defer a.Close()
				f := a.WriteAsync(buf)
				cx := async.NewContext(0)
				sw, e := swint.Take(swi)
				require.NoError(t, e)
				defer sw.Release()
				sw.Bind(func() {
					sw.Clear()
					f.Poll(cx) // chunk 1 is done: start chunk 2 and enable TRANS_DONE
					highEna.Store(uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read()))
					inside.Store(active.Load() && runs.Load() == 1)
					highRan.Store(true)
				}, 3)
				rt.Bind(source, func() {
					if runs.Add(1) == 1 {
						c.RaiseBeforeAccess(swi, k)
					}
					active.Store(true)
					onInterrupt()
					active.Store(false)
				})
				_, done := f.Poll(cx) // chunk 1 on the bus
				require.False(t, done)
				for runs.Load() == 0 {
					cs := rt.EnterCritical()
					if runs.Load() == 0 {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
				afterEna.Store(uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read()))
				// Finish the transfer (polling from here re-arms whatever was lost).
				for !finished {
					cs := rt.EnterCritical()
					if err, finished = f.Poll(cx); !finished {
						rt.WaitForInterrupt()
					}
					cs.Exit()
				}
			}))
			require.True(t, highRan.Load(), "the priority-3 context ran")
			require.True(t, inside.Load(), "inside the SPI2 handler")
			require.Equal(t, uint32(intDone), highEna.Load()&intDone, "the priority-3 poll enabled TRANS_DONE")
			assert.Equal(t, uint32(intDone), afterEna.Load()&intDone,
				"DMA_INT_ENA after the SPI2 handler returned: the TRANS_DONE enable armed from priority 3 is lost")
			assert.NoError(t, err)
			assert.Equal(t, buf, echo.Received())
			assert.GreaterOrEqual(t, int(runs.Load()), 2, "chunk 2 raised its interrupt")
		})
	}
}
