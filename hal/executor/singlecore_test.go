package executor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/swint"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// Regression (issue 13, item 10): on the single-core ESP32-C3 the thread executor claimed
// FROM_CPU_INTR3 for wakes from another core that cannot exist. It now leaves it free.
func TestThreadExecutorOnASingleCoreChipClaimsNoSoftwareInterrupt(t *testing.T) {
	runSim(t, func(c *sim.Chip) {
		th, err := executor.Thread(executor.Options{Name: "main"})
		require.NoError(t, err)
		defer th.Close()
		require.Nil(t, th.SoftwareInterrupt())
		sw, err := swint.Take(3)
		require.NoError(t, err, "FROM_CPU_INTR3 is the firmware's")
		sw.Release()
		polls := 0
		var tm async.Timer
		_, err = th.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			polls++
			switch polls {
			case 1:
				cx.Waker().Wake() // from the executor's own thread code
				return false
			case 2:
				tm = async.After(async.Millisecond) // woken by the SYSTIMER alarm's handler
			}
			_, ok := tm.Poll(cx)
			return ok
		}))
		require.NoError(t, err)
		th.Run() // sleeps in WFI until the alarm; no cross-core interrupt involved
		require.Equal(t, 3, polls)
	})
}
