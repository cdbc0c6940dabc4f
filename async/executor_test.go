package async

import (
	"errors"
	"testing"

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
	e := newExec(b, Config{Tasks: 1})
	c := &counter{limit: 1 << 62}
	w, _ := e.Spawner().Spawn(c)
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
