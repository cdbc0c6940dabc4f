package async

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSignalLatestValueWins(t *testing.T) {
	var s Signal[int]
	_, ok := s.TryTake()
	require.False(t, ok)
	require.False(t, s.Signaled())
	s.Signal(1)
	s.Signal(2)
	require.True(t, s.Signaled())
	v, ok := s.TryTake()
	require.True(t, ok)
	require.Equal(t, 2, v, "the second signal replaced the first")
	_, ok = s.TryTake()
	require.False(t, ok, "taking clears the signal")
}

func TestSignalWaitBeforeAndAfterSignal(t *testing.T) {
	var s Signal[string]
	p := newSyncProbe(t)

	// Signalled first: the wait completes at once.
	s.Signal("early")
	f := s.Wait()
	require.Equal(t, "early", syncReady[string](t, &f, p))

	// Waiting first: the signal wakes the waiter, and the value is kept for it.
	syncPending[string](t, &f, p, "a completed SignalFuture waits for the next value")
	require.False(t, p.woken())
	s.Signal("a")
	require.True(t, p.woken())
	s.Signal("b")
	_, ok := s.TryTake()
	require.False(t, ok, "the value is reserved for the woken waiter")
	require.Equal(t, "b", syncReady[string](t, &f, p), "the latest value")
	require.False(t, s.Signaled())
}

func TestSignalCancelledWaiterLeavesTheValue(t *testing.T) {
	var s Signal[int]
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	f1 := s.Wait()
	syncPending[int](t, &f1, p1)
	f1.Cancel()
	s.Signal(5)
	require.False(t, p1.woken(), "a cancelled waiter is not woken")
	v, ok := s.TryTake()
	require.True(t, ok)
	require.Equal(t, 5, v)

	// Woken, then cancelled before taking: the value stays, or goes to the next waiter.
	syncPending[int](t, &f1, p1)
	s.Signal(6)
	require.True(t, p1.woken())
	f1.Cancel()
	v, ok = s.TryTake()
	require.True(t, ok, "the cancelled waiter did not swallow the value")
	require.Equal(t, 6, v)

	f2 := s.Wait()
	syncPending[int](t, &f1, p1)
	syncPending[int](t, &f2, p2)
	s.Signal(7)
	require.True(t, p1.woken())
	require.False(t, p2.woken(), "one signal wakes one waiter, the first")
	f1.Cancel()
	require.True(t, p2.woken(), "the value passes to the next waiter")
	require.Equal(t, 7, syncReady[int](t, &f2, p2))
}

func TestSignalResetRequeuesAWokenWaiter(t *testing.T) {
	var s Signal[int]
	p := newSyncProbe(t)
	f := s.Wait()
	syncPending[int](t, &f, p)
	s.Signal(1)
	require.True(t, p.woken())
	s.Reset()
	require.False(t, s.Signaled())
	syncPending[int](t, &f, p, "the value was discarded: keep waiting")
	s.Signal(2)
	require.True(t, p.woken())
	require.Equal(t, 2, syncReady[int](t, &f, p))
}

// signalTask waits on a Signal n times and acknowledges each value on a Notify.
type signalTask struct {
	sig  *Signal[int]
	ack  *Notify
	wait SignalFuture[int]
	next int
	n    int
	bad  atomic.Int32
	done atomic.Bool
}

func (s *signalTask) Poll(cx *Context) bool {
	for s.next < s.n {
		v, ok := s.wait.Poll(cx)
		if !ok {
			return false
		}
		if v != s.next {
			s.bad.Add(1)
		}
		s.next++
		s.ack.NotifyOne()
	}
	s.done.Store(true)
	return true
}

func TestSignalStressFromAGoroutineToATask(t *testing.T) {
	const n = 5000
	var sig Signal[int]
	var ack Notify
	e := newExec(t, Config{Tasks: 1})
	task := &signalTask{sig: &sig, ack: &ack, wait: sig.Wait(), n: n}
	_, err := e.Spawner().Spawn(task)
	require.NoError(t, err)
	go func() {
		for i := 0; i < n; i++ {
			sig.Signal(i)
			ack.WaitBlocking()
		}
	}()
	pollUntil(e, task.done.Load)
	require.Zero(t, task.bad.Load(), "every value arrived, in order")
}

func TestSignalWaitBlocking(t *testing.T) {
	var s Signal[int]
	go s.Signal(3)
	require.Equal(t, 3, s.WaitBlocking())
}
