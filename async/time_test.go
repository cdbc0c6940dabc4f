package async

import (
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt"
)

// fakeClock is a time driver the test moves by hand. SetAlarm records the alarm; advance
// fires it the way an alarm interrupt would.
type fakeClock struct {
	now    Instant
	alarm  Instant
	armed  bool
	alarms int
	// afterAlarm runs after each alarm's ExpireTimers, at the alarm's time: the executor
	// polling the tasks the alarm woke.
	afterAlarm func()
}

func (c *fakeClock) Now() Instant { return c.now }

func (c *fakeClock) SetAlarm(core int, at Instant) bool {
	if at <= c.now {
		return false
	}
	c.alarm, c.armed = at, true
	c.alarms++
	return true
}

// advance moves time to t, running the alarm "interrupt" each time it is due.
func (c *fakeClock) advance(t Instant) {
	for c.armed && c.alarm <= t {
		c.now = c.alarm
		c.armed = false
		ExpireTimers()
		if c.afterAlarm != nil {
			c.afterAlarm()
		}
	}
	c.now = t
}

func useClock(t testing.TB) *fakeClock {
	t.Helper()
	c := &fakeClock{}
	SetTimeDriver(c)
	t.Cleanup(func() { SetTimeDriver(nil) })
	return c
}

// sleeper is a task that waits for its timer and records when it finished.
type sleeper struct {
	timer Timer
	clock *fakeClock
	done  *[]Instant
	id    int
	order *[]int
}

func (s *sleeper) Poll(cx *Context) bool {
	if _, ok := s.timer.Poll(cx); !ok {
		return false
	}
	*s.done = append(*s.done, s.clock.now)
	*s.order = append(*s.order, s.id)
	return true
}

func TestTimersFireInDeadlineOrderAtTheirTime(t *testing.T) {
	clock := useClock(t)
	e := newExec(t, Config{Tasks: 64})
	deadlines := rand.New(rand.NewSource(1)).Perm(50)
	var done []Instant
	var order []int
	for i, d := range deadlines {
		s := &sleeper{timer: At(Instant(100 + d*10)), clock: clock, done: &done, id: i, order: &order}
		_, err := e.Spawner().Spawn(s)
		require.NoError(t, err)
	}
	e.Poll()
	require.Empty(t, done, "no deadline has passed")
	clock.afterAlarm = e.Poll
	for now := Instant(0); now <= 700; now += 7 {
		clock.advance(now)
	}
	require.Len(t, done, 50)
	require.True(t, sort.SliceIsSorted(done, func(i, j int) bool { return done[i] < done[j] }), "in deadline order: %v", done)
	for k, id := range order {
		require.Equal(t, Instant(100+deadlines[id]*10), done[k], "timer %d completed at its deadline, not later", id)
	}
	require.Equal(t, 0, queues[0].n, "the queue is empty")
}

func TestTimerCancelDisarms(t *testing.T) {
	clock := useClock(t)
	var tm Timer = At(500)
	cx := NewContext(0)
	_, ok := tm.Poll(cx)
	require.False(t, ok)
	require.Equal(t, 1, queues[0].n)
	require.Equal(t, Instant(500), clock.alarm)
	tm.Cancel()
	require.Equal(t, 0, queues[0].n, "cancel took it out of the queue")
	tm.Cancel() // twice is fine
	clock.now = 600
	_, ok = tm.Poll(cx)
	require.True(t, ok, "a timer whose deadline passed completes")
}

func TestTickerDoesNotDrift(t *testing.T) {
	clock := useClock(t)
	tk := NewTicker(1000)
	cx := NewContext(0)
	var ticks []Instant
	for now := Instant(0); now < 10_500; now += 333 {
		clock.advance(now)
		clock.now += 17 // the task runs late after every alarm
		for {
			at, ok := tk.Poll(cx)
			if !ok {
				break
			}
			ticks = append(ticks, at)
		}
	}
	require.Len(t, ticks, 10)
	for i, at := range ticks {
		require.Equal(t, Instant(1000*(i+1)), at, "tick %d", i)
	}
	tk.Cancel()
}

func TestWithTimeoutCancelsTheLoser(t *testing.T) {
	clock := useClock(t)
	f := &cancelCounter{}
	d := WithTimeout[int](f, 100)
	cx := NewContext(0)
	_, ok := d.Poll(cx)
	require.False(t, ok)
	clock.advance(100)
	out, ok := d.Poll(cx)
	require.True(t, ok)
	require.ErrorIs(t, out.Err, ErrTimeout)
	require.Equal(t, 1, f.cancels, "the timed-out future was cancelled")

	f2 := &cancelCounter{readyAt: 2}
	d2 := WithTimeout[int](f2, 100)
	_, ok = d2.Poll(cx)
	require.False(t, ok)
	require.Equal(t, 1, queues[0].n)
	out, ok = d2.Poll(cx)
	require.True(t, ok)
	require.NoError(t, out.Err)
	require.Equal(t, 42, out.Value)
	require.Equal(t, 0, queues[0].n, "the timer of a future that won was disarmed")
}

// cancelCounter is a future that completes on its readyAt-th poll (never when 0) and
// counts cancellations.
type cancelCounter struct {
	polls, readyAt, cancels int
}

func (c *cancelCounter) Poll(*Context) (int, bool) {
	c.polls++
	return 42, c.readyAt != 0 && c.polls >= c.readyAt
}

func (c *cancelCounter) Cancel() { c.cancels++ }

func TestSelectCancelsTheLoserAndJoinWaitsForBoth(t *testing.T) {
	a, b := &cancelCounter{readyAt: 3}, &cancelCounter{readyAt: 2}
	s := Select[int, int](a, b)
	cx := NewContext(0)
	_, ok := s.Poll(cx)
	require.False(t, ok)
	r, ok := s.Poll(cx)
	require.True(t, ok)
	require.Equal(t, 1, r.Which)
	require.Equal(t, 1, a.cancels)
	require.Equal(t, 0, b.cancels)

	x, y := &cancelCounter{readyAt: 1}, &cancelCounter{readyAt: 3}
	j := Join[int, int](x, y)
	for i := 0; i < 2; i++ {
		_, ok = j.Poll(cx)
		require.False(t, ok)
	}
	p, ok := j.Poll(cx)
	require.True(t, ok)
	require.Equal(t, Pair[int, int]{42, 42}, p)
	require.Equal(t, 1, x.polls, "a completed future is not polled again")

	fs := []Future[int]{&cancelCounter{}, &cancelCounter{readyAt: 1}, &cancelCounter{}}
	sel, ok := SelectAny(fs...).Poll(cx)
	require.True(t, ok)
	require.Equal(t, 1, sel.Index)
	require.Equal(t, 1, fs[0].(*cancelCounter).cancels)
	require.Equal(t, 1, fs[2].(*cancelCounter).cancels)
}

func TestTimerQueueRandomRemovals(t *testing.T) {
	clock := useClock(t)
	rng := rand.New(rand.NewSource(7))
	timers := make([]Timer, 2000)
	cx := NewContext(0)
	for i := range timers {
		timers[i] = At(Instant(1 + rng.Intn(100000)))
		_, ok := timers[i].Poll(cx)
		require.False(t, ok)
	}
	for _, i := range rng.Perm(len(timers))[:1000] {
		timers[i].Cancel()
	}
	require.Equal(t, 1000, queues[0].n)
	// Pop the rest in order through expire.
	last := Instant(0)
	for queues[0].root != nil {
		min := queues[0].root.at
		require.GreaterOrEqual(t, min, last)
		last = min
		clock.now = min
		expire(&queues[0], clock)
	}
	require.Equal(t, 0, queues[0].n)
}

// BenchmarkTimerQueue arms 10,000 timers at random deadlines and fires them all: one op is
// one timer inserted and later fired.
func BenchmarkTimerQueue(b *testing.B) {
	const pending = 10_000
	clock := useClock(b)
	rng := rand.New(rand.NewSource(1))
	timers := make([]Timer, pending)
	deadlines := make([]Instant, pending)
	for i := range deadlines {
		deadlines[i] = Instant(1 + rng.Intn(1_000_000))
	}
	cx := NewContext(0)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += pending {
		base := clock.now
		for i := range timers {
			timers[i] = At(base + deadlines[i])
			timers[i].Poll(cx)
		}
		clock.advance(base + 1_000_001)
	}
}

func BenchmarkSpawn(b *testing.B) {
	e := newExec(b, Config{Tasks: 1})
	task := TaskFunc(func(*Context) bool { return true })
	s := e.Spawner()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Spawn(task); err != nil {
			b.Fatal(err)
		}
		e.Poll()
	}
}

// lockProbe is an interrupt-mode executor's software interrupt that notes whether it was
// raised while core 0's timer-queue lock was held: on the chip the interrupt would then
// wait, masked, for the rest of the expiry.
type lockProbe struct{ raises, underLock int }

func (p *lockProbe) Raise() {
	p.raises++
	if queues[0].mu.held.Load() != 0 {
		p.underLock++
	}
}
func (p *lockProbe) Clear()                   {}
func (p *lockProbe) Bind(func(), rt.Priority) {}

// Regression (issue 13, defect 9): expire woke the tasks of due timers while holding the
// queue lock, so an interrupt executor pended by the first wake waited, masked, until every
// timer due at that instant had been handled. Now the lock is released before each wake.
func TestExpiryWakesNoTaskUnderTheQueueLock(t *testing.T) {
	clock := useClock(t)
	probe := &lockProbe{}
	e := newExec(t, Config{Name: "timers", Tasks: 100, Interrupt: probe, Priority: 2})
	done := 0
	for i := 0; i < 100; i++ {
		s := &sleeper{timer: At(500), clock: clock, done: new([]Instant), id: i, order: new([]int)}
		_, err := e.Spawner().Spawn(TaskFunc(func(cx *Context) bool {
			if s.Poll(cx) {
				done++
				return true
			}
			return false
		}))
		require.NoError(t, err)
	}
	e.onInterrupt() // its handler polls: every task queues its timer
	require.Equal(t, 100, queues[0].n)
	*probe = lockProbe{}
	clock.advance(600)
	require.Equal(t, 0, queues[0].n)
	require.Equal(t, 1, probe.raises, "the first wake pends the executor")
	require.Zero(t, probe.underLock, "and the queue lock is not held when it does")
	e.onInterrupt()
	require.Equal(t, 100, done)
}

func TestDurationConvertsToAndFromTimeDuration(t *testing.T) {
	require.Equal(t, 1500*Millisecond, DurationOf(1500*time.Millisecond))
	require.Equal(t, Duration(2), DurationOf(1001*time.Nanosecond), "rounded up: never shorter")
	require.Equal(t, Duration(1), DurationOf(time.Microsecond))
	require.Equal(t, Duration(0), DurationOf(0))
	require.Equal(t, Duration(-1), DurationOf(-time.Microsecond))
	require.Equal(t, 250*time.Millisecond, (250 * Millisecond).Std())
	require.Equal(t, 3*time.Second, DurationOf((3 * Second).Std()).Std())
}
