package async

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMutexTryLockUnlock(t *testing.T) {
	var m Mutex
	require.False(t, m.Locked())
	require.True(t, m.TryLock())
	require.True(t, m.Locked())
	require.False(t, m.TryLock())
	m.Unlock()
	require.False(t, m.Locked())
	require.PanicsWithValue(t, "async: Unlock of unlocked Mutex", m.Unlock)
}

func TestMutexHandsOverInFIFOOrder(t *testing.T) {
	var m Mutex
	require.True(t, m.TryLock())
	ps := []*syncProbe{newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)}
	ls := make([]LockFuture, 3)
	for i := range ls {
		ls[i] = m.Lock()
		syncPending[struct{}](t, &ls[i], ps[i])
	}
	for i := range ls {
		m.Unlock()
		require.True(t, m.Locked(), "handed over, never unlocked in between")
		for j := range ps {
			require.Equal(t, i == j, ps[j].woken(), "unlock %d wakes waiter %d only", i, i)
		}
		require.False(t, m.TryLock(), "no barging past the woken waiter")
		late := m.Lock()
		syncPending[struct{}](t, &late, newSyncProbe(t), "nor by a newcomer")
		late.Cancel()
		syncReady[struct{}](t, &ls[i], ps[i])
		for j := i + 1; j < len(ls); j++ {
			syncPending[struct{}](t, &ls[j], ps[j], "the others keep waiting")
		}
	}
	m.Unlock()
	require.False(t, m.Locked())
}

func TestMutexCancel(t *testing.T) {
	var m Mutex
	require.True(t, m.TryLock())
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	l1, l2 := m.Lock(), m.Lock()
	syncPending[struct{}](t, &l1, p1)
	syncPending[struct{}](t, &l2, p2)

	// A queued waiter that is cancelled leaves the queue.
	l1.Cancel()
	m.Unlock()
	require.False(t, p1.woken())
	require.True(t, p2.woken())
	syncReady[struct{}](t, &l2, p2)

	// A waiter handed the lock and cancelled before it saw it passes the lock on...
	syncPending[struct{}](t, &l1, p1)
	l3 := m.Lock()
	p3 := newSyncProbe(t)
	syncPending[struct{}](t, &l3, p3)
	m.Unlock()
	require.True(t, p1.woken())
	l1.Cancel()
	require.True(t, p3.woken(), "the lock passed to the next waiter")
	require.True(t, m.Locked())
	syncReady[struct{}](t, &l3, p3)

	// ... or releases it when nobody else waits.
	syncPending[struct{}](t, &l1, p1)
	m.Unlock()
	require.True(t, p1.woken())
	l1.Cancel()
	require.False(t, m.Locked(), "the cancelled waiter released the lock it had been handed")
	require.True(t, m.TryLock())
	m.Unlock()

	// Cancel after completion leaves the lock with its holder.
	syncReady[struct{}](t, &l1, p1)
	l1.Cancel()
	require.True(t, m.Locked())
	m.Unlock()
}

// mutexTask increments a shared counter n times, each under the mutex, yielding while it
// holds it so that others queue.
type mutexTask struct {
	m       *Mutex
	lock    LockFuture
	counter *int
	n       int
	holding bool
	done    atomic.Bool
}

func (t *mutexTask) Poll(cx *Context) bool {
	for t.n > 0 {
		if !t.holding {
			if _, ok := t.lock.Poll(cx); !ok {
				return false
			}
			t.holding = true
			*t.counter++
			cx.Waker().Wake() // yield while holding the lock
			return false
		}
		*t.counter++
		t.holding = false
		t.n--
		t.m.Unlock()
	}
	t.done.Store(true)
	return true
}

func TestMutexStressTasksAndGoroutines(t *testing.T) {
	const tasks, goroutines, each = 3, 4, 500
	var m Mutex
	counter := 0
	e := newExec(t, Config{Tasks: tasks})
	ts := make([]*mutexTask, tasks)
	for i := range ts {
		ts[i] = &mutexTask{m: &m, lock: m.Lock(), counter: &counter, n: each}
		_, err := e.Spawner().Spawn(ts[i])
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m.LockBlocking()
				counter++
				counter++
				m.Unlock()
			}
		}()
	}
	pollUntil(e, func() bool {
		for _, task := range ts {
			if !task.done.Load() {
				return false
			}
		}
		return true
	})
	wg.Wait()
	require.Equal(t, 2*(tasks+goroutines)*each, counter)
	require.False(t, m.Locked())
}
