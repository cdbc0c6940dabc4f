//go:build !tinygo

package executor_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// pingPong is shared by two tasks on two cores' thread-mode executors. Every millisecond
// (a Ticker) the pinger on core 0 wakes the ponger on core 1 and waits; the ponger, when
// polled, answers by waking the pinger. Neither core has anything else to wake it: each
// wake must raise the other core's cross-core software interrupt, or the run stalls.
type pingPong struct {
	c              *sim.Chip
	rounds         int32
	pingW, pongW   atomic.Uint32
	sent, answered atomic.Int32
	pingCore       atomic.Int32
	pongCore       atomic.Int32
	pongPolls      atomic.Int32
	sentAt         [64]atomic.Int64
	answeredAt     [64]atomic.Int64
}

type pinger struct {
	p       *pingPong
	tick    async.Ticker
	started bool
	waiting bool
}

func (t *pinger) Poll(cx *async.Context) bool {
	p := t.p
	p.pingW.Store(uint32(cx.Waker()))
	p.pingCore.Store(int32(rt.CoreID()))
	if !t.started {
		t.tick = async.NewTicker(async.Millisecond)
		t.started = true
	}
	for {
		if t.waiting {
			if p.answered.Load() < p.sent.Load() {
				return false // the ponger wakes us when it answers
			}
			t.waiting = false
			if p.sent.Load() == p.rounds {
				t.tick.Cancel()
				return true
			}
		}
		if _, ok := t.tick.Poll(cx); !ok {
			return false
		}
		n := p.sent.Add(1)
		p.sentAt[n-1].Store(int64(p.c.Now()))
		t.waiting = true
		for p.pongW.Load() == 0 {
			esp32c3.SYSTIMER.DATE.Read() // the ponger publishes its waker on its first poll
		}
		async.Waker(p.pongW.Load()).Wake() // a task of core 1's executor: raises FROM_CPU_INTR2
	}
}

type ponger struct{ p *pingPong }

func (t *ponger) Poll(cx *async.Context) bool {
	p := t.p
	p.pongW.Store(uint32(cx.Waker()))
	p.pongCore.Store(int32(rt.CoreID()))
	p.pongPolls.Add(1)
	for p.answered.Load() < p.sent.Load() {
		n := p.answered.Add(1)
		p.answeredAt[n-1].Store(int64(p.c.Now()))
		async.Waker(p.pingW.Load()).Wake() // a task of core 0's executor: raises FROM_CPU_INTR3
	}
	return p.answered.Load() == p.rounds
}

func TestCrossCoreWakesRaiseTheOtherCoresInterrupt(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	p := &pingPong{rounds: 50}
	var done1 atomic.Bool
	var ex1Interrupt atomic.Int32
	runSim(t, func(c *sim.Chip) {
		p.c = c
		ex0, err := executor.Thread(executor.Options{Name: "core0"})
		require.NoError(t, err)
		require.Equal(t, 3, ex0.SoftwareInterrupt().Number(), "core 0's cross-core wake is FROM_CPU_INTR3")
		var started atomic.Bool
		require.True(t, rt.StartCore(1, func() {
			ex1, err := executor.Thread(executor.Options{Name: "core1"})
			if err != nil {
				panic(err)
			}
			ex1Interrupt.Store(int32(ex1.SoftwareInterrupt().Number()))
			if _, err := ex1.Spawner().Spawn(&ponger{p}); err != nil {
				panic(err)
			}
			started.Store(true)
			ex1.Run() // returns when the ponger is done
			ex1.Close()
			systimer.Stop()
			done1.Store(true)
		}))
		for !started.Load() {
			esp32c3.SYSTIMER.DATE.Read()
		}
		_, err = ex0.Spawner().Spawn(&pinger{p: p})
		require.NoError(t, err)
		ex0.Run()
		ex0.Close()
		for !done1.Load() {
			esp32c3.SYSTIMER.DATE.Read()
		}
		systimer.Stop()
	}, sim.Cores(2))
	require.Equal(t, int32(2), ex1Interrupt.Load(), "core 1's cross-core wake is FROM_CPU_INTR2")
	require.Equal(t, p.rounds, p.answered.Load())
	require.Equal(t, int32(0), p.pingCore.Load())
	require.Equal(t, int32(1), p.pongCore.Load())
	// One poll for the spawn and one per round: no wake was lost, none polled twice.
	require.Equal(t, p.rounds+1, p.pongPolls.Load())
	var worst time.Duration
	for i := int32(0); i < p.rounds; i++ {
		d := time.Duration(p.answeredAt[i].Load() - p.sentAt[i].Load())
		require.GreaterOrEqual(t, d, time.Duration(0))
		worst = max(worst, d)
		if i > 0 {
			// Paced by core 0's ticker.
			require.InDelta(t, float64(time.Millisecond), float64(p.sentAt[i].Load()-p.sentAt[i-1].Load()), float64(20*time.Microsecond))
		}
	}
	require.Less(t, worst, 100*time.Microsecond)
	t.Logf("%d cross-core round trips; wake on core 0 → poll on core 1: worst %v of virtual time", p.rounds, worst)
}
