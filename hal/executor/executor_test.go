//go:build !tinygo

package executor_test

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// runSim runs firmware on a fresh simulated chip and fails the test on any error.
func runSim(t *testing.T, firmware func(c *sim.Chip), opts ...sim.Option) *sim.Chip {
	t.Helper()
	c := sim.New(append([]sim.Option{sim.Log(io.Discard), sim.Timeout(time.Minute)}, opts...)...)
	require.NoError(t, c.Run(func() { firmware(c) }))
	return c
}

// sleeper waits on one timer, then records when (virtual time) it was polled complete.
type sleeper struct {
	c     *sim.Chip
	id    int
	d     async.Duration
	timer async.Timer
	armed bool
	log   *[]fired
}

type fired struct {
	id       int
	deadline async.Instant
	at       time.Duration
}

func (s *sleeper) Poll(cx *async.Context) bool {
	if !s.armed {
		s.timer = async.After(s.d)
		s.armed = true
	}
	dl, ok := s.timer.Poll(cx)
	if !ok {
		return false
	}
	*s.log = append(*s.log, fired{s.id, dl, s.c.Now()})
	return true
}

func TestTimersFireInDeadlineOrderAtTheirVirtualTime(t *testing.T) {
	var log []fired
	durs := []async.Duration{70_000, 10_000, 500_000, 30_000, 10_001, 250_000}
	runSim(t, func(c *sim.Chip) {
		ex, err := executor.Thread(executor.Options{Tasks: len(durs)})
		require.NoError(t, err)
		defer systimer.Stop()
		defer ex.Close()
		for i, d := range durs {
			_, err := ex.Spawner().Spawn(&sleeper{c: c, id: i, d: d, log: &log})
			require.NoError(t, err)
		}
		ex.Run()
	})
	require.Len(t, log, len(durs))
	for i := 1; i < len(log); i++ {
		require.Less(t, log[i-1].deadline, log[i].deadline, "fired out of order: %v", log)
	}
	for _, f := range log {
		want := time.Duration(f.deadline) * time.Microsecond
		require.GreaterOrEqual(t, f.at, want, "timer %d completed before its deadline", f.id)
		require.Less(t, f.at, want+20*time.Microsecond, "timer %d completed %v after its deadline", f.id, f.at-want)
	}
	t.Logf("fired: %+v", log)
}
