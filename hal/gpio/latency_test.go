//go:build !tinygo

package gpio_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// resumeProbe awaits falling edges and records, for each, rt.Cycles() read as the first
// thing in the poll in which the wait completed: the first instruction of the resumed task.
type resumeProbe struct {
	pin     *gpio.AsyncInput
	f       gpio.WaitFuture
	armed   bool
	want    int
	resumed []uint32
	done    atomic.Bool
}

func (r *resumeProbe) Poll(cx *async.Context) bool {
	start := rt.Cycles()
	for {
		if !r.armed {
			r.f = r.pin.WaitForFallingEdge()
			r.armed = true
		}
		if _, ok := r.f.Poll(cx); !ok {
			return false
		}
		r.armed = false
		r.resumed = append(r.resumed, start)
		if len(r.resumed) == r.want {
			r.done.Store(true)
			return true
		}
		start = rt.Cycles()
	}
}

const presses = 5

// edgeToTask measures the figure "GPIO edge → task resumed" on the simulator: presses
// falling edges on GPIO9 at 1, 2, ... ms of virtual time; the latency of each is the cycle
// count the task read at its first instruction minus the cycle count of the edge's virtual
// time (rt.Cycles counts virtual time at the simulated 160 MHz, and each register access
// costs 50 ns, 8 cycles).
func edgeToTask(t *testing.T, interruptMode bool) []uint32 {
	t.Helper()
	var probe *resumeProbe
	var edgeCycles []uint32
	run(t, func(c *sim.Chip) {
		g := c.GPIO()
		for i := 1; i <= presses; i++ {
			at := time.Duration(i) * time.Millisecond
			g.DriveAt(at, 9, false)
			g.ReleaseAt(at+300*time.Microsecond, 9)
		}
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
		defer a.Close()
		probe = &resumeProbe{pin: a, want: presses, resumed: make([]uint32, 0, presses)}
		hz := uint64(rt.CPUFrequency())
		for i := 1; i <= presses; i++ {
			edgeCycles = append(edgeCycles, uint32(uint64(i)*hz/1000))
		}
		if !interruptMode {
			if err := spawnRun(probe); err != nil {
				panic(err)
			}
			return
		}
		// Tasks polled in FROM_CPU_INTR0's handler at priority 2, above the GPIO interrupt's 1.
		ex, err := executor.Interrupt(0, 2, executor.Options{})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		if _, err := ex.Spawner().Spawn(probe); err != nil {
			panic(err)
		}
		for {
			cs := rt.EnterCritical()
			if probe.done.Load() {
				cs.Exit()
				break
			}
			rt.WaitForInterrupt()
			cs.Exit()
		}
	})
	require.Len(t, probe.resumed, presses)
	lat := make([]uint32, presses)
	for i := range lat {
		lat[i] = probe.resumed[i] - edgeCycles[i]
	}
	return lat
}

func TestEdgeToTaskResumedCycles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		interrupt bool
	}{{"thread-mode executor", false}, {"interrupt-mode executor (priority 2)", true}} {
		t.Run(tc.name, func(t *testing.T) {
			lat := edgeToTask(t, tc.interrupt)
			t.Logf("GPIO edge → task resumed, %s: %v virtual cycles at 160 MHz (%d ns; the simulator charges register accesses, 8 cycles each: %d accesses on the path)",
				tc.name, lat, lat[0]*1000/160, lat[0]/8)
			for i, l := range lat {
				// A register access costs 8 cycles on the simulator; the path is the
				// interrupt entry, the handler's few accesses, the wake and the executor's
				// dispatch: tens of accesses, far below 2000 cycles (12.5 µs).
				require.Greater(t, l, uint32(0), "press %d", i)
				require.Less(t, l, uint32(2000), "press %d", i)
				require.Equal(t, lat[0], l, "every press takes the same path (virtual time is deterministic)")
			}
		})
	}
}
