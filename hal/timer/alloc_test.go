//go:build !tinygo

package timer

import (
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TestWakePathAllocatesNothing polls a wait on an alarm, runs the interrupt handler on it
// (called inside a critical section rather than taken), which wakes a real executor task,
// polls the wait to completion, and arms and cancels another: none of it allocates.
func TestWakePathAllocatesNothing(t *testing.T) {
	const runs, warm = 200, 5
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var perRun float64
	var dirty int
	var completed bool
	err := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second)).Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		o, err := NewOneShot(p.TIMG1, Config{})
		if err != nil {
			panic(err)
		}
		a := o.IntoAsync()
		defer a.Close()
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		if err != nil {
			panic(err)
		}
		cx := async.NewContext(w)
		// The simulator allocates an event each time an alarm is armed (Schedule), so the
		// driver's own paths are measured between the schedules.
		var mallocs uint64
		var m0, m1 runtime.MemStats
		for i := 0; i < runs+warm; i++ {
			if err := a.Schedule(1); err != nil {
				panic(err)
			}
			cs := rt.EnterCritical()
			runtime.ReadMemStats(&m0)
			f := a.WaitAsync()
			f.Poll(cx) // enables INT_ENA.T0
			runtime.ReadMemStats(&m1)
			if i >= warm { // the first runs warm up (the simulator's first interrupts allocate)
				mallocs += m1.Mallocs - m0.Mallocs
				if m1.Mallocs != m0.Mallocs {
					dirty++
				}
			}
			Delay{}.DelayUs(2) // the simulator fires the alarm: not measured
			runtime.ReadMemStats(&m0)
			onAlarm(1) // disable, wake
			cs.Exit()
			_, completed = f.Poll(cx)
			runtime.ReadMemStats(&m1)
			if i >= warm {
				mallocs += m1.Mallocs - m0.Mallocs
				if m1.Mallocs != m0.Mallocs {
					dirty++
				}
			}
			if err := a.Schedule(100); err != nil {
				panic(err)
			}
			runtime.ReadMemStats(&m0)
			g := a.WaitAsync()
			g.Poll(cx)
			g.Cancel()
			runtime.ReadMemStats(&m1)
			if i >= warm {
				mallocs += m1.Mallocs - m0.Mallocs
				if m1.Mallocs != m0.Mallocs {
					dirty++
				}
			}
		}
		perRun = float64(mallocs) / runs
	})
	require.NoError(t, err)
	require.True(t, completed)
	// Mallocs counts every goroutine's allocations, the simulator's and (under -race) the
	// race runtime's too: now and then one window of 600 catches a burst of those. An
	// allocation on the driver's path would show in every run.
	t.Logf("%.3f allocations per run; %d of %d windows saw any", perRun, dirty, 3*runs)
	require.Less(t, dirty, runs/20, "allocations on the poll/interrupt/wake/poll and poll/cancel paths")
}
