package async

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNotifyOneBeforeWaitIsKeptAsOnePermit(t *testing.T) {
	var n Notify
	p := newSyncProbe(t)
	n.NotifyOne()
	n.NotifyOne()
	require.True(t, n.HasPermit())
	f := n.Notified()
	syncReady[struct{}](t, &f, p, "the permit completes the wait at once")
	require.False(t, n.HasPermit())
	syncPending[struct{}](t, &f, p, "permits do not add up")
}

func TestNotifyOneWakesWaitersInFIFOOrder(t *testing.T) {
	var n Notify
	ps := []*syncProbe{newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)}
	fs := make([]NotifiedFuture, 3)
	for i := range fs {
		fs[i] = n.Notified()
		syncPending[struct{}](t, &fs[i], ps[i])
	}
	for i := range fs {
		n.NotifyOne()
		for j := range ps {
			require.Equal(t, i == j, ps[j].woken())
		}
		require.False(t, n.HasPermit(), "a waiter took the notification")
		syncReady[struct{}](t, &fs[i], ps[i])
	}
}

func TestNotifyAllWakesTheCurrentWaitersAndStoresNoPermit(t *testing.T) {
	var n Notify
	ps := []*syncProbe{newSyncProbe(t), newSyncProbe(t)}
	fs := []NotifiedFuture{n.Notified(), n.Notified()}
	for i := range fs {
		syncPending[struct{}](t, &fs[i], ps[i])
	}
	n.NotifyAll()
	require.False(t, n.HasPermit())
	for i := range fs {
		require.True(t, ps[i].woken())
		syncReady[struct{}](t, &fs[i], ps[i])
	}
	late := n.Notified()
	pl := newSyncProbe(t)
	syncPending[struct{}](t, &late, pl, "NotifyAll left no permit")
	n.NotifyAll()
	require.True(t, pl.woken())
	n.NotifyAll() // nobody waits: nothing happens
	require.False(t, n.HasPermit())
}

func TestNotifyCancel(t *testing.T) {
	var n Notify
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	f1, f2 := n.Notified(), n.Notified()
	syncPending[struct{}](t, &f1, p1)
	syncPending[struct{}](t, &f2, p2)

	f1.Cancel()
	n.NotifyOne()
	require.False(t, p1.woken(), "a cancelled waiter left the queue")
	require.True(t, p2.woken())
	syncReady[struct{}](t, &f2, p2)

	// A NotifyOne delivered to a waiter that is then cancelled goes to the next waiter...
	syncPending[struct{}](t, &f1, p1)
	syncPending[struct{}](t, &f2, p2)
	n.NotifyOne()
	require.True(t, p1.woken())
	f1.Cancel()
	require.True(t, p2.woken())
	syncReady[struct{}](t, &f2, p2)

	// ... or becomes the permit.
	syncPending[struct{}](t, &f1, p1)
	n.NotifyOne()
	f1.Cancel()
	require.True(t, n.HasPermit(), "the notification is not lost")
	syncReady[struct{}](t, &f2, p2)

	// A NotifyAll needs no passing on.
	syncPending[struct{}](t, &f1, p1)
	n.NotifyAll()
	f1.Cancel()
	require.False(t, n.HasPermit())
}

func TestNotifyWakeBeforeWaitStress(t *testing.T) {
	// Two goroutines take turns through two Notifies; a NotifyOne that lands before the
	// other side waits is kept as the permit, so none is lost and neither side hangs.
	const rounds = 5000
	var ping, pong Notify
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			ping.WaitBlocking()
			pong.NotifyOne()
		}
	}()
	for i := 0; i < rounds; i++ {
		ping.NotifyOne()
		pong.WaitBlocking()
	}
	wg.Wait()
	require.False(t, ping.HasPermit())
	require.False(t, pong.HasPermit())
}
