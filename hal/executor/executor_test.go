//go:build !tinygo

package executor_test

import (
	"io"
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

// runSim runs firmware on a fresh simulated chip, with the time driver started as hal.Init
// starts it, and fails the test on any error.
func runSim(t *testing.T, firmware func(c *sim.Chip), opts ...sim.Option) *sim.Chip {
	t.Helper()
	t.Cleanup(systimer.ResetForTest)
	c := sim.New(append([]sim.Option{sim.Log(io.Discard), sim.Timeout(time.Minute)}, opts...)...)
	require.NoError(t, c.Run(func() {
		if err := systimer.Start(systimer.DefaultPriority); err != nil {
			panic(err)
		}
		firmware(c)
	}))
	return c
}

// busy does n register reads: thread-mode work that takes n × 50 ns of virtual time and
// can be preempted at each read.
func busy(n int) {
	for i := 0; i < n; i++ {
		esp32c3.SYSTIMER.DATE.Read()
	}
}

// sleeper waits on one timer, then records when (in the simulator's virtual time) it was
// polled complete.
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
	t.Cleanup(periph.ResetForTest)
	var log []fired
	durs := []async.Duration{70_000, 10_000, 500_000, 30_000, 10_001, 250_000, 3, 10_000}
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
		_, armed := systimer.Alarm(0)
		require.False(t, armed, "no timer left: the alarm is off")
	})
	require.Len(t, log, len(durs))
	for i := 1; i < len(log); i++ {
		require.LessOrEqual(t, log[i-1].deadline, log[i].deadline, "fired out of order: %v", log)
	}
	var worst time.Duration
	for _, f := range log {
		want := time.Duration(f.deadline) * time.Microsecond
		require.GreaterOrEqual(t, f.at, want, "timer %d completed before its deadline", f.id)
		require.Less(t, f.at, want+10*time.Microsecond, "timer %d completed %v after its deadline", f.id, f.at-want)
		worst = max(worst, f.at-want)
	}
	t.Logf("%d timers in deadline order; deadline → task polled: at most %v of virtual time", len(log), worst)
}

func TestThreadExecutorSleepsInWFIBetweenTimers(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	const ticks = 100
	var idle float64
	var idleCycles, total uint64
	var last async.Instant
	runSim(t, func(c *sim.Chip) {
		ex, err := executor.Thread(executor.Options{})
		require.NoError(t, err)
		defer systimer.Stop()
		defer ex.Close()
		n := 0
		var tk async.Ticker
		started := false
		_, err = ex.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			if !started {
				tk, started = async.NewTicker(10*async.Millisecond), true
			}
			for {
				at, ok := tk.Poll(cx)
				if !ok {
					return false
				}
				busy(20) // a little work per tick: 1 µs
				last = at
				if n++; n == ticks {
					return true
				}
			}
		}))
		require.NoError(t, err)
		ex.Run()
		idle = ex.Idle()
		idleCycles, total = ex.IdleCycles()
	})
	require.Greater(t, idle, 0.99)
	require.GreaterOrEqual(t, last, async.Instant(ticks*10_000))
	t.Logf("idle fraction %.5f over %d ticks of 10 ms (%d of %d cycles in WFI)", idle, ticks, idleCycles, total)
}

// The interrupt executor's task preempts a thread-mode task that is busy (it never yields,
// spinning on register reads): woken by its timer, it runs at priority 2 in the middle of
// the busy loop and records how far the loop had got.
func TestInterruptExecutorPreemptsABusyThreadTask(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	const loops = 20_000 // 1 ms of virtual time
	var progress atomic.Int64
	var seenProgress atomic.Int64
	var seenInInterrupt, seenOnCore0 atomic.Bool
	var busyDone atomic.Bool
	runSim(t, func(c *sim.Chip) {
		hi, err := executor.Interrupt(0, 2, executor.Options{Name: "hi"})
		require.NoError(t, err)
		th, err := executor.Thread(executor.Options{Name: "thread"})
		require.NoError(t, err)
		defer systimer.Stop()
		defer th.Close()
		defer hi.Close()
		var tm async.Timer
		armed := false
		_, err = hi.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			if !armed {
				tm = async.After(300 * async.Microsecond)
				armed = true
			}
			if _, ok := tm.Poll(cx); !ok {
				return false
			}
			seenProgress.Store(progress.Load())
			seenInInterrupt.Store(rt.InInterrupt())
			seenOnCore0.Store(rt.CoreID() == 0)
			return true
		}))
		require.NoError(t, err)
		_, err = th.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			for i := 1; i <= loops; i++ {
				esp32c3.SYSTIMER.DATE.Read()
				progress.Store(int64(i))
			}
			busyDone.Store(true)
			return true
		}))
		require.NoError(t, err)
		th.Run()
		require.Equal(t, 0, hi.Len(), "the interrupt task finished during the busy loop")
	})
	require.True(t, busyDone.Load())
	require.True(t, seenInInterrupt.Load(), "the interrupt executor polls in its interrupt handler")
	require.True(t, seenOnCore0.Load())
	p := seenProgress.Load()
	require.Greater(t, p, int64(0))
	require.Less(t, p, int64(loops), "it ran in the middle of the busy loop")
	t.Logf("the priority-2 task ran after %d of %d busy iterations", p, loops)
}

// The same, woken by a software interrupt instead of a timer: the thread task wakes the
// interrupt executor's task halfway through its loop, and it runs before the very next
// iteration.
func TestInterruptExecutorPreemptsAtOnceWhenWoken(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	const loops = 1000
	var progress, seen atomic.Int64
	var polls atomic.Int32
	runSim(t, func(c *sim.Chip) {
		hi, err := executor.Interrupt(1, 2, executor.Options{Name: "hi"})
		require.NoError(t, err)
		th, err := executor.Thread(executor.Options{Name: "thread"})
		require.NoError(t, err)
		defer systimer.Stop()
		defer th.Close()
		defer hi.Close()
		var hiWaker atomic.Uint32
		_, err = hi.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			hiWaker.Store(uint32(cx.Waker()))
			if polls.Add(1) == 1 {
				return false // first poll at spawn: wait to be woken
			}
			seen.Store(progress.Load())
			return true
		}))
		require.NoError(t, err)
		_, err = th.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			for i := 1; i <= loops; i++ {
				if i == loops/2 {
					async.Waker(hiWaker.Load()).Wake() // raises FROM_CPU_INTR1: taken at once
				}
				esp32c3.SYSTIMER.DATE.Read()
				progress.Store(int64(i))
			}
			return true
		}))
		require.NoError(t, err)
		th.Run()
	})
	require.Equal(t, int32(2), polls.Load())
	require.Equal(t, int64(loops/2-1), seen.Load(), "polled inside Wake, before the thread task's next step")
}

// WithTimeout on a future that would complete too late: the timeout wins, and the loser is
// cancelled, which disables its interrupt in the peripheral (INT_ENA) and its comparator;
// nothing fires later for it.
func TestWithTimeoutCancelsTheLoser(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	var out async.Outcome[struct{}]
	var doneAt time.Duration
	var intEna, workEn bool
	var laterIRQs int32
	runSim(t, func(c *sim.Chip) {
		ex, err := executor.Thread(executor.Options{})
		require.NoError(t, err)
		defer systimer.Stop()
		defer ex.Close()
		bindHWAlarm()
		var f *async.Timeout[struct{}]
		_, err = ex.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			if f == nil {
				f = async.WithTimeout[struct{}](newHWAlarm(async.Now().Add(100*async.Millisecond)), 10*async.Millisecond)
			}
			o, ok := f.Poll(cx)
			if !ok {
				return false
			}
			out, doneAt = o, c.Now()
			intEna, workEn = hwAlarmState()
			return true
		}))
		require.NoError(t, err)
		ex.Run()
		// Sleep past the loser's deadline: its interrupt must not fire.
		var tm async.Timer
		_, err = ex.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			if tm.Deadline() == 0 {
				tm = async.After(200 * async.Millisecond)
			}
			_, ok := tm.Poll(cx)
			return ok
		}))
		require.NoError(t, err)
		ex.Run()
		laterIRQs = hwAlarmIRQs.Load()
	})
	require.ErrorIs(t, out.Err, async.ErrTimeout)
	require.InDelta(t, float64(10*time.Millisecond), float64(doneAt), float64(20*time.Microsecond))
	require.False(t, intEna, "the cancelled future's interrupt is disabled in the peripheral")
	require.False(t, workEn, "and its comparator is off")
	require.Zero(t, laterIRQs, "nothing fired for the cancelled future")
}

// Select between a hardware event and a timer: the event wins, the timer is cancelled (it
// leaves the timer queue), the task is not polled at its deadline, and the SYSTIMER alarm
// is re-armed for the next deadline, then off when none is left.
func TestSelectCancelsTheLosingTimer(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	var which int
	var wonAt time.Duration
	var polls int
	var nextAlarm async.Instant
	var nextArmed, finalArmed bool
	var next async.Timer
	runSim(t, func(c *sim.Chip) {
		ex, err := executor.Thread(executor.Options{})
		require.NoError(t, err)
		defer systimer.Stop()
		defer ex.Close()
		bindHWAlarm()
		var sel *async.Select2[struct{}, async.Instant]
		var loser async.Timer
		_, err = ex.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			polls++
			if sel == nil {
				now := async.Now()
				loser = async.At(now.Add(50 * async.Millisecond))
				sel = async.Select[struct{}, async.Instant](newHWAlarm(now.Add(5*async.Millisecond)), &loser)
			}
			if which == 0 {
				r, ok := sel.Poll(cx)
				if !ok {
					return false
				}
				which, wonAt = r.Which+1, c.Now()
				next = async.After(200 * async.Millisecond)
			}
			if _, ok := next.Poll(cx); !ok {
				nextAlarm, nextArmed = systimer.Alarm(0)
				return false
			}
			return true
		}))
		require.NoError(t, err)
		ex.Run()
		_, finalArmed = systimer.Alarm(0)
	})
	require.Equal(t, 1, which, "the hardware event won")
	require.InDelta(t, float64(5*time.Millisecond), float64(wonAt), float64(20*time.Microsecond))
	require.True(t, nextArmed)
	require.Equal(t, next.Deadline(), nextAlarm, "the alarm is set for the next live deadline, not the cancelled one")
	require.Equal(t, 3, polls, "spawn, the event, the next timer: not woken at the cancelled deadline")
	require.False(t, finalArmed, "no timer left: the alarm is off")
}

// Interrupt raised → task polled, in virtual CPU cycles: a hardware alarm (SYSTIMER
// comparator 0) whose handler wakes a task, on a thread-mode executor asleep in WFI and on
// an interrupt-mode executor at priority 2 preempting a busy thread.
func TestInterruptToTaskLatency(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	const rounds = 20
	type sample struct{ raised, polled time.Duration }
	var threadS, irqS []sample
	runSim(t, func(c *sim.Chip) {
		hi, err := executor.Interrupt(0, 2, executor.Options{Name: "hi"})
		require.NoError(t, err)
		th, err := executor.Thread(executor.Options{Name: "thread"})
		require.NoError(t, err)
		defer systimer.Stop()
		defer th.Close()
		defer hi.Close()
		bindHWAlarm()
		// measure waits for comparator 0 at a known time, then notes when it was polled.
		measure := func(out *[]sample, done *atomic.Bool) async.Task {
			var a *hwAlarm
			var target async.Instant
			n := 0
			return async.TaskFunc(func(cx *async.Context) bool {
				polled := c.Now() // first thing in the poll
				for {
					if a == nil {
						target = async.Now().Add(997 * async.Microsecond)
						a = newHWAlarm(target)
					}
					if _, ok := a.Poll(cx); !ok {
						return false
					}
					*out = append(*out, sample{time.Duration(target) * time.Microsecond, polled})
					a = nil
					if n++; n == rounds {
						done.Store(true)
						return true
					}
				}
			})
		}
		var thDone, hiDone atomic.Bool
		_, err = th.Spawner().Spawn(measure(&threadS, &thDone))
		require.NoError(t, err)
		th.Run() // asleep in WFI between alarms
		_, err = hi.Spawner().Spawn(measure(&irqS, &hiDone))
		require.NoError(t, err)
		for !hiDone.Load() {
			busy(1) // a busy thread, preempted
		}
	})
	cyc := func(d time.Duration) float64 { return float64(d) * 160e6 / 1e9 }
	report := func(name string, s []sample) float64 {
		require.Len(t, s, rounds)
		worst := time.Duration(0)
		var sum time.Duration
		for _, x := range s {
			d := x.polled - x.raised
			require.GreaterOrEqual(t, d, time.Duration(0))
			worst = max(worst, d)
			sum += d
		}
		mean := sum / time.Duration(len(s))
		t.Logf("interrupt raised → task polled, %s: mean %v = %.0f cycles, worst %v = %.0f cycles at 160 MHz (model: 50 ns per register access)",
			name, mean, cyc(mean), worst, cyc(worst))
		return cyc(worst)
	}
	require.Less(t, report("thread-mode executor asleep in WFI", threadS), 400.0)
	require.Less(t, report("interrupt executor at priority 2 over a busy thread", irqS), 400.0)
}
