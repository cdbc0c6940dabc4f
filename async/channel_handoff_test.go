package async

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value handed to a waiting ReceiveFuture keeps its slot until the receiver takes it: a
// sender that finds the channel full meanwhile waits, and the receiver's take grants it.
func TestChannelHandedValueFreesItsSlotForAWaitingSender(t *testing.T) {
	c := NewChannel[int](1)
	pr, ps := newSyncProbe(t), newSyncProbe(t)
	r := c.Receive()
	syncPending[int](t, &r, pr)
	s := c.Send(1)
	syncReady[struct{}](t, &s, ps)
	require.True(t, pr.woken())
	require.Equal(t, 1, c.Len(), "the handed value counts until it is taken")
	s2 := c.Send(2)
	syncPending[struct{}](t, &s2, ps, "its slot is still held")
	require.False(t, c.TrySend(3))
	_, ok := c.TryReceive()
	require.False(t, ok, "the handed value is r's")
	require.Equal(t, 1, syncReady[int](t, &r, pr))
	require.True(t, ps.woken(), "taking the value granted its slot to the waiting sender")
	syncReady[struct{}](t, &s2, ps)
	v, ok := c.TryReceive()
	require.True(t, ok)
	require.Equal(t, 2, v)
	require.Zero(t, c.Len())
}

// The same when the sender queued before the value was handed over.
func TestChannelHandOffWithASenderAlreadyWaiting(t *testing.T) {
	c := NewChannel[int](1)
	require.True(t, c.TrySend(0))
	pr, p1, p2 := newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)
	s1, s2 := c.Send(1), c.Send(2)
	syncPending[struct{}](t, &s1, p1)
	syncPending[struct{}](t, &s2, p2)
	v, _ := c.TryReceive()
	require.Equal(t, 0, v)
	require.True(t, p1.woken())
	r := c.Receive()
	syncPending[int](t, &r, pr, "the free slot is s1's")
	syncReady[struct{}](t, &s1, p1)
	require.True(t, pr.woken())
	require.False(t, p2.woken())
	require.Equal(t, 1, syncReady[int](t, &r, pr))
	require.True(t, p2.woken(), "no lost wake-up: s2 gets the slot")
	syncReady[struct{}](t, &s2, p2)
	v, _ = c.TryReceive()
	require.Equal(t, 2, v)
}

// A handed value stays first: values sent after it, and receivers granted after it, come
// after it; cancelled, it goes back to the head.
func TestChannelCancelledHandOffKeepsTheOrder(t *testing.T) {
	c := NewChannel[int](3)
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	r1 := c.Receive()
	syncPending[int](t, &r1, p1)
	require.True(t, c.TrySend(1)) // handed to r1
	require.True(t, p1.woken())
	require.True(t, c.TrySend(2))
	require.True(t, c.TrySend(3))
	require.False(t, c.TrySend(4), "the handed value holds a slot")
	r2 := c.Receive()
	require.Equal(t, 2, syncReady[int](t, &r2, p2), "r2 takes the value after the handed one")
	r1.Cancel()
	v, ok := c.TryReceive()
	require.True(t, ok)
	require.Equal(t, 1, v, "the cancelled receiver's value is first again")
	v, _ = c.TryReceive()
	require.Equal(t, 3, v)
	require.Zero(t, c.Len())
}

// Goroutine senders and receivers that give up at random on a channel of capacity 1, where
// nearly every value is handed over: none is lost or received twice, and no sender waits for
// ever on a slot a taken value held.
func TestChannelHandOffStress(t *testing.T) {
	const producers, consumers, each = 3, 3, 2000
	c := NewChannel[int](1)
	var seen [producers * each]atomic.Int32
	var wg sync.WaitGroup
	for g := 0; g < producers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c.SendBlocking(g*each + i)
			}
		}(g)
	}
	var got atomic.Int32
	for k := 0; k < consumers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for got.Load() < producers*each {
				rx := c.Receive()
				p := parkerProbe()
				v, ok := rx.Poll(p.cx())
				for n := 0; !ok && n < k+1; n++ {
					runtime.Gosched()
					v, ok = rx.Poll(p.cx())
				}
				if ok {
					seen[v].Add(1)
					got.Add(1)
				} else {
					rx.Cancel() // may have been handed a value meanwhile: it passes on
				}
				p.release()
			}
		}(k)
	}
	wg.Wait()
	for i := range seen {
		assert.Equal(t, int32(1), seen[i].Load(), "value %d received exactly once", i)
	}
	require.Zero(t, c.Len())
}
