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
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	st "github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// stressTask counts the wake tokens it finds when polled. A producer adds a token, then
// wakes the task; the task takes all tokens at each poll. Lost wakes would leave tokens
// behind; a task polled twice for one wake would show more polls than wakes.
type stressTask struct {
	tokens   atomic.Int64 // added by producers, taken by polls
	issued   atomic.Int64 // wakes issued (producers)
	consumed atomic.Int64 // tokens taken (the task; read at the end)
	polls    atomic.Int64
	empty    atomic.Int64 // polls that found no token (a wake that raced with a poll)
	waker    atomic.Uint32
	core     atomic.Int32
	wrong    atomic.Int32 // polls on the wrong core
}

func (s *stressTask) Poll(cx *async.Context) bool {
	s.waker.Store(uint32(cx.Waker()))
	if c := int32(rt.CoreID()); c != s.core.Load() {
		s.wrong.Add(1)
	}
	s.polls.Add(1)
	esp32c3.SYSTIMER.DATE.Read() // a preemption point inside every poll
	n := s.tokens.Swap(0)
	if n == 0 {
		s.empty.Add(1)
	}
	s.consumed.Add(n)
	return false // never finishes: the executors are stopped
}

type stressRig struct {
	tasks    []*stressTask
	target   int64
	issued   atomic.Int64
	batch    int
	producer [2]uint32 // xorshift state, one per producer (each used by one handler only)
	irqs     [2]atomic.Int64
	core1SWI *swint.SoftwareInterrupt
}

// produce is a producer's handler body: batch wakes of random tasks of both cores.
func (r *stressRig) produce(p int) {
	r.irqs[p].Add(1)
	x := r.producer[p]
	for i := 0; i < r.batch; i++ {
		if r.issued.Add(1) > r.target {
			r.issued.Add(-1)
			break
		}
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		t := r.tasks[x%uint32(len(r.tasks))]
		t.issued.Add(1)
		t.tokens.Add(1)
		async.Waker(t.waker.Load()).Wake()
	}
	r.producer[p] = x
}

// onComparator0 (core 0, priority 1): SYSTIMER comparator 0 in period mode drives core 0's
// producer, which also raises FROM_CPU_INTR0 for core 1's.
func (r *stressRig) onComparator0() {
	esp32c3.SYSTIMER.INT_CLR.Write(st.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
	r.produce(0)
	r.core1SWI.Raise()
	if r.issued.Load() >= r.target {
		esp32c3.SYSTIMER.CONF.Modify(func(v st.CONFValue) st.CONFValue { return v.WithTARGET0_WORK_EN(false) })
	}
}

// onCore1SWI (core 1, priority 1): core 1's producer.
func (r *stressRig) onCore1SWI() {
	r.core1SWI.Clear()
	r.produce(1)
}

func startComparator0(periodTicks uint32) {
	s := esp32c3.SYSTIMER
	s.TARGET_CONF[0].Write(st.TARGET_CONFValue(0).WithTARGET_PERIOD(periodTicks).WithTARGET_PERIOD_MODE(true))
	s.COMP_LOAD[0].Write(st.COMP_LOADValue(0).WithTIMER_COMP_LOAD(true))
	s.INT_CLR.Write(st.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
	s.INT_ENA.Modify(func(v st.INT_ENAValue) st.INT_ENAValue { return v.WithTARGET0_INT_ENA(true) })
	s.CONF.Modify(func(v st.CONFValue) st.CONFValue { return v.WithTARGET0_WORK_EN(true) })
}

// A million wakes (fewer under -race) from interrupt handlers on two cores, to tasks of
// both cores' thread-mode executors, interleaved with their polls: no wake is lost (every
// token is consumed) and no task is polled more often than it was woken (plus its first
// poll at spawn).
func TestStressWakesFromInterruptsOnTwoCores(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	target := int64(1_000_000)
	if raceEnabled || testing.Short() {
		target = 100_000
	}
	const perCore = 16
	r := &stressRig{target: target, batch: 8, producer: [2]uint32{0x9E3779B9, 0x7F4A7C15}}
	for i := 0; i < 2*perCore; i++ {
		s := &stressTask{}
		s.core.Store(int32(i / perCore))
		r.tasks = append(r.tasks, s)
	}
	wall := time.Now()
	var finishedAt time.Duration
	runSim(t, func(c *sim.Chip) {
		ex0, err := executor.Thread(executor.Options{Name: "core0", Tasks: perCore + 1})
		require.NoError(t, err)
		r.core1SWI, err = swint.Take(0)
		require.NoError(t, err)
		var ex1 atomic.Pointer[executor.Executor]
		var ready, done1 atomic.Bool
		require.True(t, rt.StartCore(1, func() {
			e, err := executor.Thread(executor.Options{Name: "core1", Tasks: perCore})
			if err != nil {
				panic(err)
			}
			for _, s := range r.tasks[perCore:] {
				if _, err := e.Spawner().Spawn(s); err != nil {
					panic(err)
				}
			}
			r.core1SWI.Bind(r.onCore1SWI, 1)
			ex1.Store(e)
			ready.Store(true)
			e.Run()
			r.core1SWI.Release()
			e.Close()
			systimer.Stop()
			done1.Store(true)
		}))
		for _, s := range r.tasks[:perCore] {
			_, err := ex0.Spawner().Spawn(s)
			require.NoError(t, err)
		}
		// The monitor starts the producers once core 1 is ready, and stops both executors
		// when every wake has been issued and consumed.
		var tick async.Ticker
		started := false
		_, err = ex0.Spawner().SpawnNamed("monitor", async.TaskFunc(func(cx *async.Context) bool {
			if !started {
				if !ready.Load() {
					busy(10)
					cx.Waker().Wake()
					return false
				}
				rt.Bind(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0), r.onComparator0)
				rt.Enable(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0), 1)
				startComparator0(32) // every 2 µs
				tick = async.NewTicker(100 * async.Microsecond)
				started = true
			}
			for {
				if _, ok := tick.Poll(cx); !ok {
					return false
				}
				if r.issued.Load() < r.target {
					continue
				}
				all := true
				for _, s := range r.tasks {
					all = all && s.consumed.Load() == s.issued.Load()
				}
				if all {
					finishedAt = c.Now()
					tick.Cancel()
					ex1.Load().Stop()
					ex0.Stop()
					return true
				}
			}
		}), 1)
		require.NoError(t, err)
		ex0.Run()
		rt.Disable(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0))
		for !done1.Load() {
			busy(1)
		}
		ex0.Close()
		systimer.Stop()
	}, sim.Cores(2))
	var issued, polls, empty int64
	for i, s := range r.tasks {
		require.Equal(t, s.issued.Load(), s.consumed.Load(), "task %d: a wake was lost", i)
		require.LessOrEqual(t, s.polls.Load(), s.issued.Load()+1, "task %d polled more often than woken", i)
		require.Zero(t, s.wrong.Load(), "task %d polled on the wrong core", i)
		issued += s.issued.Load()
		polls += s.polls.Load()
		empty += s.empty.Load()
	}
	require.Equal(t, target, issued)
	t.Logf("%d wakes from %d+%d interrupts on two cores → %d polls (%d found no new token: a wake that landed while its task was being polled); "+
		"%v of virtual time, %v of wall time (race detector: %v)",
		issued, r.irqs[0].Load(), r.irqs[1].Load(), polls, empty, finishedAt, time.Since(wall).Round(time.Millisecond), raceEnabled)
}
