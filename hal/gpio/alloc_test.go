//go:build !tinygo

package gpio

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	gpioreg "github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TestWakePathAllocatesNothing arms a wait, runs the interrupt handler on a pending edge
// (inside a critical section, so the handler is called here rather than taken), wakes a
// real executor task and polls the future to completion, and cancels an armed one: none of
// it allocates.
func TestWakePathAllocatesNothing(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var perRun float64
	var completed bool
	err := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second)).Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		in, err := NewInput(p.GPIO9, InputConfig{Pull: PullUp})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
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
		step := func() {
			f := a.WaitForFallingEdge()
			f.Poll(cx)
			cs := rt.EnterCritical()
			esp32c3.GPIO.STATUS_W1TS.Write(gpioreg.STATUS_W1TSValue(0).WithSTATUS_W1TS(1 << 9))
			onInterrupt()
			cs.Exit()
			_, completed = f.Poll(cx)
			g := a.WaitForRisingEdge()
			g.Poll(cx)
			g.Cancel()
		}
		// AllocsPerRun counts every goroutine's allocations, the simulator's and the race
		// runtime's too, which now and then land in a measurement; an allocation on the
		// driver's path shows in every one, so the least of three is the path's.
		perRun = testing.AllocsPerRun(200, step)
		for i := 0; i < 2; i++ {
			perRun = min(perRun, testing.AllocsPerRun(200, step))
		}
	})
	require.NoError(t, err)
	require.True(t, completed)
	require.Zero(t, perRun, "allocations per arm/interrupt/wake/poll/cancel")
}
