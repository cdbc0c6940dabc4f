package async

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// gate is a hand-made future: it completes once per open, with the number of opens taken so
// far, and parks its waker when closed.
type gate struct {
	open, taken, polls int
	waker              Waker
}

func (g *gate) Poll(cx *Context) (int, bool) {
	g.polls++
	if g.open > 0 {
		g.open--
		g.taken++
		return g.taken, true
	}
	g.waker = cx.Waker()
	return 0, false
}

func (g *gate) Cancel() {}

func (g *gate) release() {
	g.open++
	g.waker.Wake()
}

func TestStraightLineAwaitsReadyPendingAndCustomFutures(t *testing.T) {
	e := newExec(t, Config{Name: "sl", Tasks: 2})
	g := &gate{}
	var log []string
	task := GoNamed("reader", func(t *T) {
		log = append(log, fmt.Sprint("ready ", Await[int](t, Ready[int]{Value: 7})))
		log = append(log, fmt.Sprint("gate ", Await[int](t, g)))
		log = append(log, fmt.Sprint("gate ", Await[int](t, g)))
	})
	require.Equal(t, "reader", task.(Named).TaskName())
	w, err := e.Spawner().Spawn(task)
	require.NoError(t, err)
	require.Equal(t, "reader", e.StatsOf(w).Name, "Spawn takes the name from GoNamed")

	e.Poll()
	require.Equal(t, []string{"ready 7"}, log, "a ready future does not yield; the closed gate does")
	require.Equal(t, 1, g.polls)
	e.Poll()
	require.Equal(t, uint32(1), e.StatsOf(w).Polls, "an unwoken straight-line task is not polled")

	w.Wake() // spurious: the gate is polled again, is still closed, and the task yields again
	e.Poll()
	require.Equal(t, 2, g.polls)
	require.Len(t, log, 1)

	g.release()
	e.Poll()
	require.Equal(t, []string{"ready 7", "gate 1"}, log)
	require.Equal(t, 1, e.Len())

	g.release()
	e.Poll()
	require.Equal(t, []string{"ready 7", "gate 1", "gate 2"}, log)
	require.Equal(t, 0, e.Len(), "the task finished when its function returned")
	require.True(t, task.Poll(NewContext(0)), "a finished task stays finished")

	// Pending never completes, however often the task is woken.
	pend := Go(func(t *T) { Await[int](t, Pending[int]{}); panic("unreachable") })
	require.Equal(t, "task", pend.(Named).TaskName())
	w, err = e.Spawner().Spawn(pend)
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		w.Wake()
		e.Poll()
	}
	require.Equal(t, 1, e.Len())
	require.Equal(t, uint32(5), e.StatsOf(w).Polls, "spawning queued it: the first wake adds nothing")
}

// A stackless task and two straight-line tasks play ping-pong in one executor, woken by each
// other's wakers, in one call to Poll.
func TestStackLessAndStraightLineTasksShareAnExecutor(t *testing.T) {
	e := newExec(t, Config{Name: "mixed", Tasks: 3})
	ping, pong, bye := &gate{}, &gate{}, &gate{}
	var log []string
	_, err := e.Spawner().SpawnNamed("straight", Go(func(t *T) {
		for i := 0; i < 3; i++ {
			n := Await[int](t, ping)
			log = append(log, fmt.Sprintf("straight: ping %d", n))
			pong.release()
		}
		bye.release()
	}), 0)
	require.NoError(t, err)
	n := 0
	_, err = e.Spawner().SpawnNamed("stackless", TaskFunc(func(cx *Context) bool {
		for {
			if n > 0 {
				if _, ok := pong.Poll(cx); !ok {
					return false
				}
				log = append(log, "stackless: pong")
				if n == 3 {
					return true
				}
			}
			n++
			ping.release()
		}
	}), 0)
	require.NoError(t, err)
	_, err = e.Spawner().SpawnNamed("waiter", Go(func(t *T) {
		Yield(t) // lets the others run first, once
		log = append(log, "waiter: yielded")
		Await[int](t, bye)
		log = append(log, "waiter: bye")
	}), 1)
	require.NoError(t, err)

	e.Poll()
	require.Equal(t, []string{
		"waiter: yielded", // priority 1, polled first, polled again after its own wake
		"straight: ping 1",
		"stackless: pong",
		"straight: ping 2",
		"stackless: pong",
		"straight: ping 3",
		"waiter: bye", // woken at priority 1: polled before the stackless task's turn
		"stackless: pong",
	}, log)
	require.Equal(t, 0, e.Len())
}

func TestStraightLinePanicIsReportedByName(t *testing.T) {
	var got []TaskPanic
	e := newExec(t, Config{Name: "main", Tasks: 3, OnPanic: func(p TaskPanic) { got = append(got, p) }})
	boom := errors.New("boom")
	g := &gate{}
	_, err := e.Spawner().Spawn(GoNamed("crasher", func(t *T) {
		Await[int](t, g)
		panic(boom)
	}))
	require.NoError(t, err)
	ok := &counter{limit: 2}
	_, err = e.Spawner().SpawnNamed("good", ok, 0)
	require.NoError(t, err)

	e.Poll()
	require.Empty(t, got)
	g.release()
	e.Poll()
	require.Len(t, got, 1)
	require.Equal(t, "crasher", got[0].Task)
	require.Equal(t, "main", got[0].Executor)
	require.True(t, got[0].Value == any(boom), "the executor sees the panic value itself, %v", got[0].Value)
	require.Equal(t, 1, e.Len(), "the panicking task was removed")
	ok.waker.Wake()
	e.Poll()
	require.Equal(t, 2, ok.polls, "the other task keeps running")
}

// runtime.Goexit in a straight-line task (t.FailNow in a test, for one) ends the goroutine
// that polled it: the two are one thread of control.
func TestStraightLineGoexitEndsThePoller(t *testing.T) {
	e := newExec(t, Config{Tasks: 1, OnPanic: func(TaskPanic) {}})
	_, err := e.Spawner().Spawn(Go(func(*T) { runtime.Goexit() }))
	require.NoError(t, err)
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Poll()
		returned = true
	}()
	<-done
	require.False(t, returned)
	require.Equal(t, 0, e.Len())
}

func TestStraightLineSleep(t *testing.T) {
	clk := useClock(t)
	e := newExec(t, Config{Tasks: 1})
	clk.afterAlarm = e.Poll
	var woke []Instant
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		for i := 0; i < 3; i++ {
			woke = append(woke, Sleep(t, 10*Millisecond))
		}
		woke = append(woke, SleepUntil(t, 45000))
	}))
	require.NoError(t, err)
	e.Poll()
	clk.advance(100_000)
	require.Equal(t, []Instant{10_000, 20_000, 30_000, 45_000}, woke)
	require.Equal(t, 0, e.Len())
}

func TestAwaitOutsideItsTaskPanics(t *testing.T) {
	var leaked *T
	e := newExec(t, Config{Tasks: 1})
	_, err := e.Spawner().Spawn(Go(func(t *T) { leaked = t }))
	require.NoError(t, err)
	e.Poll()
	require.PanicsWithValue(t, "async: Await outside its straight-line task", func() { Await[int](leaked, Ready[int]{}) })
}

func TestStraightLineAwaitDoesNotAllocate(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	g := &gate{}
	stop := false
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		for !stop {
			Await[int](t, g)
		}
	}))
	require.NoError(t, err)
	e.Poll()
	allocs := testing.AllocsPerRun(1000, func() {
		g.release()
		e.Poll()
	})
	require.Zero(t, allocs)
	stop = true
	g.release()
	e.Poll()
	require.Equal(t, 0, e.Len())
}

// BenchmarkStraightLineAwait is one await round trip of a straight-line task: wake, poll,
// resume the coroutine, the future completes, the next await finds it pending and yields.
func BenchmarkStraightLineAwait(b *testing.B) {
	e := newExec(b, Config{Tasks: 1})
	g := &gate{}
	stop := false
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		for !stop {
			Await[int](t, g)
		}
	}))
	require.NoError(b, err)
	e.Poll()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.release()
		e.Poll()
	}
	b.StopTimer()
	stop = true
	g.release()
	e.Poll()
}

// Regression (issue 13, defect 5): Sleep with another task's *T used to re-arm that task's
// queued timer before the check panicked, so the owner woke at the wrong time. The check
// now comes first and the owner's timer is untouched.
func TestSleepWithAnotherTasksTPanicsWithoutTouchingItsTimer(t *testing.T) {
	clk := useClock(t)
	e := newExec(t, Config{Tasks: 2})
	clk.afterAlarm = e.Poll
	var ownerT *T
	var woke Instant
	var misuse any
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		ownerT = t
		woke = Sleep(t, 10*Millisecond)
	}))
	require.NoError(t, err)
	_, err = e.Spawner().Spawn(Go(func(t *T) {
		func() {
			defer func() { misuse = recover() }()
			Sleep(ownerT, 50*Millisecond) // the owner's handle, from another task
		}()
	}))
	require.NoError(t, err)
	e.Poll()
	clk.advance(100_000)
	require.Equal(t, Instant(10_000), woke, "the owner's timer kept its deadline")
	require.Equal(t, "async: Sleep outside its straight-line task (use the *async.T your task's function received, only while it runs)", misuse)
	require.Equal(t, 0, e.Len())
}

// On the host StackUse measures nothing (goroutine stacks grow): it says so rather than
// report figures that mean nothing. (The chip's figures come from make qemu-c3.)
func TestStackUseIsNotMeasuredOnTheHost(t *testing.T) {
	e := newExec(t, Config{Name: "sl", Tasks: 1})
	var got StackUse
	ran := false
	_, err := e.Spawner().Spawn(Go(func(t *T) { got, ran = t.StackUse(), true }))
	require.NoError(t, err)
	e.Poll()
	require.True(t, ran)
	require.Equal(t, StackUse{}, got)
}

func TestGoWithNamesTheTaskAndChecksItsStackSize(t *testing.T) {
	e := newExec(t, Config{Name: "sized", Tasks: 3})
	ran := 0
	body := func(*T) { ran++ }
	for _, c := range []struct {
		opts GoOptions
		name string
	}{
		{GoOptions{Name: "sized", StackSize: MinStackSize}, "sized"},
		{GoOptions{StackSize: 1000}, "task"}, // rounded up to 1008 on the chip
		{GoOptions{Name: "default"}, "default"},
	} {
		task := GoWith(c.opts, body)
		require.Equal(t, c.name, task.(Named).TaskName())
		w, err := e.Spawner().Spawn(task)
		require.NoError(t, err)
		require.Equal(t, c.name, e.StatsOf(w).Name)
	}
	e.Poll()
	require.Equal(t, 3, ran, "on the host the stack size changes nothing else")
	require.Zero(t, e.Len())

	// The simulator refuses the sizes the chip would refuse, at once, with the fix.
	for _, size := range []int{1, MinStackSize - 1, -64} {
		require.PanicsWithValue(t, errStackTooSmall, func() { GoWith(GoOptions{StackSize: size}, body) }, "StackSize %d", size)
	}
	require.Contains(t, errStackTooSmall, "async.MinStackSize ("+strconv.Itoa(MinStackSize)+")")
	require.Contains(t, errStackTooSmall, "T.StackUse")
}
