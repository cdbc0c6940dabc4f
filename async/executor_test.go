package async

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counter is a task that counts its polls and finishes after limit of them, parking its
// waker where the test can wake it.
type counter struct {
	polls, limit int
	waker        Waker
}

func (c *counter) Poll(cx *Context) bool {
	c.polls++
	c.waker = cx.Waker()
	return c.polls >= c.limit
}

func newExec(t testing.TB, cfg Config) *Executor {
	t.Helper()
	e, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(e.Close)
	return e
}

func TestSpawnWakePoll(t *testing.T) {
	e := newExec(t, Config{Name: "t", Tasks: 2})
	c := &counter{limit: 3}
	w, err := e.Spawner().Spawn(c)
	require.NoError(t, err)
	require.True(t, w.Valid())
	e.Poll()
	require.Equal(t, 1, c.polls, "a spawned task is polled once")
	e.Poll()
	require.Equal(t, 1, c.polls, "an unwoken task is not polled")
	w.Wake()
	w.Wake() // idempotent
	e.Poll()
	require.Equal(t, 2, c.polls, "two wakes before a poll poll once")
	c.waker.Wake()
	e.Poll()
	require.Equal(t, 3, c.polls)
	require.Equal(t, 0, e.Len(), "the finished task left the table")
	w.Wake()
	e.Poll()
	require.Equal(t, 3, c.polls, "a finished task's waker does nothing")
}

func TestFullTableIsAnError(t *testing.T) {
	e := newExec(t, Config{Tasks: 2})
	s := e.Spawner()
	_, err := s.Spawn(&counter{limit: 1})
	require.NoError(t, err)
	_, err = s.Spawn(&counter{limit: 1})
	require.NoError(t, err)
	_, err = s.Spawn(&counter{limit: 1})
	require.ErrorIs(t, err, ErrTableFull)
	e.Poll()
	_, err = s.Spawn(&counter{limit: 1})
	require.NoError(t, err, "finished tasks free their slots")
	_, err = s.SpawnPriority(&counter{limit: 1}, TaskPriorities)
	require.ErrorIs(t, err, ErrBadPriority)
	_, err = s.Spawn(nil)
	require.ErrorIs(t, err, ErrNilTask)
}

func TestHigherTaskPriorityIsPolledFirst(t *testing.T) {
	e := newExec(t, Config{Tasks: 4})
	var order []string
	mk := func(name string) Task {
		return TaskFunc(func(*Context) bool { order = append(order, name); return true })
	}
	s := e.Spawner()
	_, _ = s.SpawnPriority(mk("low"), 0)
	_, _ = s.SpawnPriority(mk("high"), 3)
	_, _ = s.SpawnPriority(mk("mid"), 1)
	e.Poll()
	require.Equal(t, []string{"high", "mid", "low"}, order)
}

// A task's ready bit is fixed by its slot and priority (bit slot%32 of the priority's word
// slot/32): with 70 tasks (three words per priority) spread over all priorities, each wake
// polls the task that was woken, once, and the priorities are served highest first.
func TestTasksAcrossReadyWordsAndPrioritiesArePolledOncePerWakeByPriority(t *testing.T) {
	const tasks = 70
	prioOf := func(i int) int { return (i * 7) % TaskPriorities }
	e := newExec(t, Config{Tasks: tasks})
	s := e.Spawner()
	var order []int
	wakers := make([]Waker, tasks)
	polls := make([]int, tasks)
	for i := range tasks {
		w, err := s.SpawnPriority(TaskFunc(func(*Context) bool {
			order = append(order, i)
			polls[i]++
			return polls[i] == 2
		}), prioOf(i))
		require.NoError(t, err)
		wakers[i] = w
	}
	check := func(round string) {
		t.Helper()
		require.Len(t, order, tasks, round)
		seen := make(map[int]bool)
		for k, i := range order {
			require.False(t, seen[i], "%s: task %d polled twice", round, i)
			seen[i] = true
			if k > 0 {
				require.GreaterOrEqual(t, prioOf(order[k-1]), prioOf(i), "%s: task %d (priority %d) polled after task %d (priority %d)", round, i, prioOf(i), order[k-1], prioOf(order[k-1]))
			}
		}
	}
	e.Poll()
	check("first polls")
	order = order[:0]
	for i := tasks - 1; i >= 0; i-- {
		wakers[i].Wake()
	}
	e.Poll()
	check("second polls")
	require.Zero(t, e.Len(), "every task finished on its second poll")
}

func TestBitsFromIsAShiftedMaskForEveryShift(t *testing.T) {
	for shift := uint(1); shift <= 32; shift++ {
		require.Equal(t, ^uint32(0)<<shift, bitsFrom(shift), "shift %d", shift)
	}
}

// Each ready word knows the summary bits of the higher priorities' words and its first
// slot: for every table size, word w of priority p (w = p*wordsPer + k) has the bits of
// words (p+1)*wordsPer and up, and slot k*32 for bit 0.
func TestReadyWordsKnowTheirHigherWordsAndFirstSlot(t *testing.T) {
	for _, tasks := range []int{1, 31, 32, 33, 64, 100, MaxTasks} {
		e := newExec(t, Config{Tasks: tasks})
		per := (tasks + 31) / 32
		require.Len(t, e.ready, TaskPriorities*per, "%d tasks", tasks)
		for w := range e.ready {
			p, k := w/per, w%per
			var higher uint32
			for h := (p + 1) * per; h < len(e.ready); h++ {
				higher |= 1 << h
			}
			assert.Equal(t, higher, e.ready[w].higher&(1<<len(e.ready)-1), "%d tasks, word %d", tasks, w)
			assert.Equal(t, int32(k*32), e.ready[w].base, "%d tasks, word %d", tasks, w)
		}
	}
}

func TestPanickingTaskIsReportedAndOthersRun(t *testing.T) {
	var got []TaskPanic
	e := newExec(t, Config{Name: "main", Tasks: 3, OnPanic: func(p TaskPanic) { got = append(got, p) }})
	ok := &counter{limit: 2}
	_, err := e.Spawner().SpawnNamed("good", ok, 0)
	require.NoError(t, err)
	_, err = e.Spawner().SpawnNamed("bad", TaskFunc(func(*Context) bool { panic(errors.New("boom")) }), 0)
	require.NoError(t, err)
	e.Poll()
	require.Len(t, got, 1)
	require.Equal(t, "bad", got[0].Task)
	require.Equal(t, "main", got[0].Executor)
	require.Contains(t, got[0].Error(), "boom")
	require.Equal(t, 1, e.Len(), "the panicking task was removed")
	ok.waker.Wake()
	e.Poll()
	require.Equal(t, 2, ok.polls, "the other task keeps running")
}

func TestWakePollDoesNotAllocate(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	c := &counter{limit: 1 << 30}
	w, _ := e.Spawner().Spawn(c)
	e.Poll()
	allocs := testing.AllocsPerRun(1000, func() {
		w.Wake()
		e.Poll()
	})
	require.Zero(t, allocs)
}

func BenchmarkWakePoll(b *testing.B) {
	benchWakePoll(b, func(s Spawner, c *counter) (Waker, error) { return s.Spawn(c) })
}

// benchWakePoll measures a wake and the poll it causes of one task spawned by spawn.
func benchWakePoll(b *testing.B, spawn func(Spawner, *counter) (Waker, error)) {
	e := newExec(b, Config{Tasks: 1})
	w, err := spawn(e.Spawner(), &counter{limit: 1 << 62})
	require.NoError(b, err)
	e.Poll()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Wake()
		e.Poll()
	}
}

// A panicking task must not lose the wakes of tasks taken from the queue with it: lower
// priorities (still in the summary) and later tasks of the same word (still in the batch).
func TestPanicKeepsTheOtherTasksQueued(t *testing.T) {
	e := newExec(t, Config{Name: "main", Tasks: 4, OnPanic: func(TaskPanic) {}})
	low := &counter{limit: 1 << 30}
	after := &counter{limit: 1 << 30}
	s := e.Spawner()
	_, err := s.SpawnNamed("low", low, 0)
	require.NoError(t, err)
	_, err = s.SpawnNamed("crasher", TaskFunc(func(*Context) bool { panic("boom") }), 2)
	require.NoError(t, err)
	_, err = s.SpawnNamed("after", after, 2)
	require.NoError(t, err)
	e.Poll()
	require.Equal(t, 1, low.polls, "the lower priority was polled after the panic")
	require.Equal(t, 1, after.polls, "the task after the panicking one in its word was polled")
	for i := 0; i < 3; i++ {
		low.waker.Wake()
		after.waker.Wake()
		e.Poll()
	}
	require.Equal(t, 4, low.polls, "and its later wakes are not lost")
	require.Equal(t, 4, after.polls)
}

// A runtime.Goexit during a poll (t.FailNow in a test's task, a machine stopping mid-poll)
// ends the poller's goroutine and removes the task, but must not lose the wakes of the tasks
// taken from the queue with it: the next Poll polls them.
func TestGoexitKeepsTheOtherTasksQueued(t *testing.T) {
	e := newExec(t, Config{Name: "main", Tasks: 4})
	low := &counter{limit: 1 << 30}
	after := &counter{limit: 1 << 30}
	s := e.Spawner()
	_, err := s.SpawnNamed("low", low, 0)
	require.NoError(t, err)
	_, err = s.SpawnNamed("quitter", TaskFunc(func(*Context) bool { runtime.Goexit(); return false }), 2)
	require.NoError(t, err)
	_, err = s.SpawnNamed("after", after, 2)
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Poll()
	}()
	<-done
	require.Zero(t, low.polls+after.polls, "the Goexit ended the poll before the others")
	require.Equal(t, 2, e.Len(), "the task that called Goexit was removed")
	e.Poll()
	require.Equal(t, 1, low.polls, "the lower priority's wake was kept")
	require.Equal(t, 1, after.polls, "the wake of the task after it in its word was kept")
}

// rewaker wakes itself on every poll until the shared budget is spent.
type rewaker struct {
	polls  int
	budget *int
}

func (r *rewaker) Poll(cx *Context) bool {
	r.polls++
	*r.budget--
	if *r.budget <= 0 {
		return true
	}
	cx.Waker().Wake()
	return false
}

// Regression: with more than 32 tasks one priority spans several ready words, and a task
// of a higher word used to count as a higher priority: two tasks in slots 0 and 32 that woke
// themselves were polled to the end while slots 1..31 waited.
func TestSelfWakingTasksInTwoReadyWordsDoNotStarveTheOthers(t *testing.T) {
	e := newExec(t, Config{Tasks: 40})
	s := e.Spawner()
	budgetA, budgetB := 1000, 1000
	first := &rewaker{budget: &budgetA}
	_, err := s.Spawn(first) // slot 0
	require.NoError(t, err)
	var seenAt []int // the self-waking tasks' polls when each other task ran
	for i := 1; i < 32; i++ {
		_, err = s.Spawn(TaskFunc(func(*Context) bool { seenAt = append(seenAt, first.polls); return true }))
		require.NoError(t, err)
	}
	second := &rewaker{budget: &budgetB}
	_, err = s.Spawn(second) // slot 32: the second ready word
	require.NoError(t, err)
	e.Poll()
	require.Len(t, seenAt, 31)
	for i, at := range seenAt {
		require.LessOrEqualf(t, at, 2, "task in slot %d ran only after slot 0 had been polled %d times", i+1, at)
	}
	require.Equal(t, 1000, first.polls)
	require.Equal(t, 1000, second.polls)
}

// 64 tasks of one priority (two ready words), each waking itself: every one gets its turn
// each round, so their poll counts end within 1% of each other.
func TestSixtyFourSelfWakingTasksShareTheCore(t *testing.T) {
	const tasks, rounds = 64, 2000
	e := newExec(t, Config{Tasks: tasks})
	budget := tasks * rounds
	rw := make([]*rewaker, tasks)
	for i := range rw {
		rw[i] = &rewaker{budget: &budget}
		_, err := e.Spawner().Spawn(rw[i])
		require.NoError(t, err)
	}
	e.Poll()
	lo, hi := rw[0].polls, rw[0].polls
	for _, r := range rw {
		lo, hi = min(lo, r.polls), max(hi, r.polls)
	}
	require.Greater(t, lo, 0)
	require.LessOrEqualf(t, float64(hi-lo), 0.01*float64(hi), "polls ranged from %d to %d", lo, hi)
}

// Regression (issue 13, defect 8): Poll was public and unguarded; a nested call corrupted
// the executor's state. Now it panics, and the task that made it is reported.
func TestPollFromOneOfItsOwnTasksPanics(t *testing.T) {
	var got []TaskPanic
	var e *Executor
	e = newExec(t, Config{Name: "main", Tasks: 2, OnPanic: func(p TaskPanic) { got = append(got, p) }})
	other := &counter{limit: 1}
	_, err := e.Spawner().SpawnNamed("reenters", TaskFunc(func(*Context) bool { e.Poll(); return true }), 0)
	require.NoError(t, err)
	_, err = e.Spawner().Spawn(other)
	require.NoError(t, err)
	e.Poll()
	require.Len(t, got, 1)
	require.Equal(t, "reenters", got[0].Task)
	require.Equal(t, "async: executor main polled while it is polling (Poll called from one of its tasks, or from a handler that preempted it): its state would be corrupted", got[0].Value)
	require.Equal(t, 1, other.polls, "the other task was polled all the same")
	e.Poll() // and the executor is usable afterwards
}

// Regression (issue 13, item 10): ErrBadConfig named neither the field nor the range.
func TestBadConfigNamesTheFieldAndTheRange(t *testing.T) {
	_, err := New(Config{Tasks: 0})
	require.ErrorIs(t, err, ErrBadConfig)
	require.EqualError(t, err, "async: bad executor configuration: Config.Tasks = 0, want 1..255")
	_, err = New(Config{Tasks: 1, Interrupt: &lockProbe{}, Priority: 16})
	require.ErrorIs(t, err, ErrBadConfig)
	require.EqualError(t, err, "async: bad executor configuration: Config.Priority = 16, want 1..15 (an interrupt-mode executor's interrupt priority)")
}

// Regression (issue 13, item 10): a task's panic report carries where it happened.
func TestTaskPanicReportSaysWhere(t *testing.T) {
	var got []TaskPanic
	e := newExec(t, Config{Name: "main", Tasks: 2, OnPanic: func(p TaskPanic) { got = append(got, p) }})
	_, err := e.Spawner().SpawnNamed("stackless", TaskFunc(func(*Context) bool {
		panic("boom") // this line
	}), 0)
	require.NoError(t, err)
	_, err = e.Spawner().SpawnNamed("straight", GoNamed("straight", func(t *T) {
		panic("bang") // that line
	}), 0)
	require.NoError(t, err)
	e.Poll()
	require.Len(t, got, 2)
	for _, p := range got {
		require.Contains(t, p.Where, "executor_test.go:", p.Task)
		require.Contains(t, p.Error(), " panicked at "+p.Where+": ")
	}
	require.NotEqual(t, got[0].Where, got[1].Where, "each its own line, not the executor's or the coroutine's re-panic")
}

// Run polls, sleeps while nothing is queued, and returns on Stop (seen once the queue is
// empty) or when the table empties; a task's panic is reported and the others go on. (Run
// sleeps inside its poll loop's recover: these are the paths that moved there.)
func TestRunReturnsOnStopOrAnEmptyTableAndSurvivesAPanic(t *testing.T) {
	var panics []TaskPanic
	e := newExec(t, Config{Name: "run", Tasks: 3, OnPanic: func(p TaskPanic) { panics = append(panics, p) }})
	polls := 0
	second := make(chan struct{})
	w, err := e.Spawner().SpawnNamed("stopper", TaskFunc(func(*Context) bool {
		polls++
		switch polls {
		case 1:
			e.Stop() // Run returns once the queue is empty, with this task still in the table
		case 2:
			close(second)
		case 3:
			return true
		}
		return false
	}), 0)
	require.NoError(t, err)
	_, err = e.Spawner().SpawnNamed("crasher", TaskFunc(func(*Context) bool { panic("boom") }), 0)
	require.NoError(t, err)

	e.Run()
	require.Equal(t, 1, polls)
	require.Len(t, panics, 1, "the crasher's panic was reported, and Run went on")
	require.Equal(t, "crasher", panics[0].Task)
	require.Equal(t, 1, e.Len())

	// A Stop before Run: Run returns at once, polls nothing, and forgets the Stop.
	e.Stop()
	w.Wake()
	e.Run()
	require.Equal(t, 1, polls, "Run returned before polling")

	// Run sleeps until a wake from elsewhere, and returns when the table is empty.
	go func() {
		<-second // the wake queued above was polled: polls 2
		time.Sleep(time.Millisecond)
		w.Wake() // polls 3
	}()
	e.Run()
	require.Equal(t, 3, polls)
	require.Zero(t, e.Len())
}
