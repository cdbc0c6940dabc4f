package async

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A task from Spawn is polled, woken, prioritised, named and released as one from
// Spawner.Spawn, and the two kinds share a table.
func TestSpawnPointerTaskBehavesAsAnInterfaceTask(t *testing.T) {
	var order []string
	e := newExec(t, Config{Name: "t", Tasks: 3})
	low := &counter{limit: 3}
	wl, err := Spawn(e.Spawner(), low)
	require.NoError(t, err)
	high := &counter{limit: 2}
	wh, err := SpawnWith(e.Spawner(), high, SpawnOptions{Name: "high", Priority: TaskPriorities - 1})
	require.NoError(t, err)
	_, err = e.Spawner().SpawnNamed("iface", TaskFunc(func(*Context) bool {
		order = append(order, "iface")
		return true
	}), 1)
	require.NoError(t, err)

	e.Poll()
	require.Equal(t, 1, low.polls)
	require.Equal(t, 1, high.polls)
	require.Equal(t, []string{"iface"}, order)
	assert.Equal(t, "high", e.StatsOf(wh).Name)
	assert.Equal(t, "task", e.StatsOf(wl).Name, "Spawn without a name")

	wl.Wake()
	wh.Wake()
	e.Poll()
	require.Equal(t, 2, high.polls)
	require.Equal(t, 2, low.polls)
	require.Equal(t, 1, e.Len(), "high finished after its limit and left the table")
	low.waker.Wake()
	e.Poll()
	require.Equal(t, 3, low.polls)
	require.Zero(t, e.Len())
	wl.Wake()
	e.Poll()
	require.Equal(t, 3, low.polls, "a finished task's waker does nothing")
}

func TestSpawnPointerErrors(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	var nilTask *counter
	_, err := Spawn(e.Spawner(), nilTask)
	require.ErrorIs(t, err, ErrNilTask)
	_, err = SpawnWith(e.Spawner(), &counter{limit: 1}, SpawnOptions{Priority: TaskPriorities})
	require.ErrorIs(t, err, ErrBadPriority)
	_, err = Spawn(e.Spawner(), &counter{limit: 1})
	require.NoError(t, err)
	_, err = Spawn(e.Spawner(), &counter{limit: 1})
	require.ErrorIs(t, err, ErrTableFull)
}

// The executor keeps the task alive: Spawn(s, &task{...}) is often the only reference.
func TestSpawnPointerKeepsTheTaskAlive(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	w, err := Spawn(e.Spawner(), &counter{limit: 3})
	require.NoError(t, err)
	e.Poll()
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	w.Wake()
	e.Poll()
	require.Equal(t, uint32(2), e.StatsOf(w).Polls)
}

// A panic in a task from Spawn is reported under its name and releases its slot.
func TestSpawnPointerPanicIsReported(t *testing.T) {
	var got []TaskPanic
	e := newExec(t, Config{Name: "main", Tasks: 1, OnPanic: func(p TaskPanic) { got = append(got, p) }})
	_, err := SpawnWith(e.Spawner(), &panicker{}, SpawnOptions{Name: "bad"})
	require.NoError(t, err)
	e.Poll()
	require.Len(t, got, 1)
	assert.Equal(t, "bad", got[0].Task)
	assert.Contains(t, got[0].Error(), "panicker gave up")
	assert.Zero(t, e.Len())
}

type panicker struct{}

func (*panicker) Poll(*Context) bool { panic("panicker gave up") }

func TestSpawnPointerAndItsWakePollDoNotAllocate(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	c := &counter{limit: 1 << 30}
	require.Zero(t, testing.AllocsPerRun(100, func() {
		w, err := Spawn(e.Spawner(), c)
		if err != nil {
			panic(err)
		}
		e.Poll()
		w.Wake()
		e.Poll()
		e.release(0)
	}))
}

// BenchmarkWakePollPointerTask is BenchmarkWakePoll for a task from Spawn (on the host, a
// one-word wrapper in the Task interface).
func BenchmarkWakePollPointerTask(b *testing.B) {
	benchWakePoll(b, Spawn[counter])
}
