package hal_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
)

// Regression (issue 13, defect 7): a program that returned without stopping the time
// driver left it installed through hal.ResetForTest (which runs off the chip's cores), and a
// later async.Now spun forever in systimer.Ticks.
func TestResetForTestUninstallsTheTimeDriverAProgramLeftRunning(t *testing.T) {
	run(t, func() {
		_, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		_ = async.Now() // works on the chip; the program returns without stopping anything
	})
	hal.ResetForTest()
	require.PanicsWithValue(t, async.ErrNoTimeDriver, func() { async.Now() })
}

// And if the driver is installed but no chip runs, Ticks says so instead of spinning.
func TestTicksOffTheChipPanicsInsteadOfSpinning(t *testing.T) {
	t.Cleanup(hal.ResetForTest)
	async.SetTimeDriver(systimer.Driver{})
	require.PanicsWithValue(t,
		"systimer: TIMER_UNIT_VALUE_VALID never set after UPDATE: SYSTIMER is not counting (off the chip: no simulated chip is running; was the time driver left installed? hal.ResetForTest uninstalls it)",
		func() { async.Now() })
}

// NoTimeDriver is honoured: executors no longer start the driver behind its back, so a
// timer panics with ErrNoTimeDriver, as documented, and SYSTIMER's alarm stays off.
func TestNoTimeDriverMeansNoTimeDriverEvenWithExecutors(t *testing.T) {
	var reported []async.TaskPanic
	var alarmOn bool
	run(t, func() {
		_, err := hal.Init(hal.Config{NoTimeDriver: true})
		require.NoError(t, err)
		ex, err := executor.Thread(executor.Options{OnPanic: func(p async.TaskPanic) { reported = append(reported, p) }})
		require.NoError(t, err)
		defer ex.Close()
		alarmOn = systimer.Started()
		_, err = ex.Spawner().SpawnNamed("sleeper", async.TaskFunc(func(cx *async.Context) bool {
			tm := async.After(async.Millisecond)
			_, ok := tm.Poll(cx)
			return ok
		}), 0)
		require.NoError(t, err)
		ex.Run()
	})
	require.False(t, alarmOn, "no executor started the SYSTIMER alarm")
	require.Len(t, reported, 1)
	require.Equal(t, async.ErrNoTimeDriver, reported[0].Value)
}
