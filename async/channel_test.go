package async

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChannelTrySendTryReceiveIsFIFOAndBounded(t *testing.T) {
	c := NewChannel[int](3)
	require.Equal(t, 3, c.Cap())
	for i := 1; i <= 3; i++ {
		require.True(t, c.TrySend(i))
	}
	require.False(t, c.TrySend(4), "full")
	require.Equal(t, 3, c.Len())
	for i := 1; i <= 3; i++ {
		v, ok := c.TryReceive()
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	_, ok := c.TryReceive()
	require.False(t, ok, "empty")
	// Wrap around the ring.
	for round := 0; round < 5; round++ {
		require.True(t, c.TrySend(round))
		require.True(t, c.TrySend(round+100))
		v, _ := c.TryReceive()
		require.Equal(t, round, v)
		v, _ = c.TryReceive()
		require.Equal(t, round+100, v)
	}
}

func TestChannelInitOverCallerBuffer(t *testing.T) {
	var backing [2]string
	var c Channel[string]
	c.Init(backing[:])
	require.Equal(t, 2, c.Cap())
	require.True(t, c.TrySend("a"))
	require.Equal(t, "a", backing[0], "the channel stores into the caller's buffer")
	require.Panics(t, func() { NewChannel[int](0) })
	require.Panics(t, func() { new(Channel[int]).Init(nil) })

	var zero Channel[int]
	require.Zero(t, zero.Cap())
	require.False(t, zero.TrySend(1), "an uninitialised channel has no room")
	_, ok := zero.TryReceive()
	require.False(t, ok)
}

func TestChannelReceiveWaitsUntilASend(t *testing.T) {
	c := NewChannel[int](1)
	p := newSyncProbe(t)
	rx := c.Receive()
	syncPending[int](t, &rx, p)
	syncPending[int](t, &rx, p, "a spurious poll keeps waiting")
	require.False(t, p.woken())
	require.True(t, c.TrySend(7))
	require.True(t, p.woken(), "the send woke the receiver")
	_, ok := c.TryReceive()
	require.False(t, ok, "the value is reserved for the woken receiver")
	require.Equal(t, 7, syncReady[int](t, &rx, p))
	// A completed ReceiveFuture receives the next value when polled again.
	syncPending[int](t, &rx, p)
	require.True(t, c.TrySend(8))
	require.Equal(t, 8, syncReady[int](t, &rx, p))
}

func TestChannelReceiversAreServedFIFO(t *testing.T) {
	c := NewChannel[int](4)
	ps := []*syncProbe{newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)}
	rs := make([]ReceiveFuture[int], 3)
	for i := range rs {
		rs[i] = c.Receive()
		syncPending[int](t, &rs[i], ps[i])
	}
	require.True(t, c.TrySend(10))
	require.Equal(t, []bool{true, false, false}, []bool{ps[0].woken(), ps[1].woken(), ps[2].woken()})
	require.True(t, c.TrySend(11))
	require.Equal(t, []bool{false, true, false}, []bool{ps[0].woken(), ps[1].woken(), ps[2].woken()})

	// A newcomer does not get ahead of the receiver still waiting.
	late := c.Receive()
	pl := newSyncProbe(t)
	syncPending[int](t, &late, pl)
	require.True(t, c.TrySend(12))
	require.True(t, ps[2].woken(), "the third receiver is next")
	require.False(t, pl.woken())

	require.Equal(t, 10, syncReady[int](t, &rs[0], ps[0]))
	require.Equal(t, 11, syncReady[int](t, &rs[1], ps[1]))
	require.Equal(t, 12, syncReady[int](t, &rs[2], ps[2]))
	syncPending[int](t, &late, pl)
	require.True(t, c.TrySend(13))
	require.True(t, pl.woken())
	require.Equal(t, 13, syncReady[int](t, &late, pl))
}

func TestChannelSendersAreServedFIFO(t *testing.T) {
	c := NewChannel[int](1)
	require.True(t, c.TrySend(0))
	ps := []*syncProbe{newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)}
	ss := make([]SendFuture[int], 3)
	for i := range ss {
		ss[i] = c.Send(i + 1)
		syncPending[struct{}](t, &ss[i], ps[i])
	}
	var got []int
	for i := 0; i < 3; i++ {
		v, ok := c.TryReceive()
		require.True(t, ok)
		got = append(got, v)
		for j := range ps {
			require.Equal(t, j == i, ps[j].woken(), "receive %d wakes sender %d only", i, i)
		}
		require.False(t, c.TrySend(99), "the freed slot is reserved for the woken sender")
		syncReady[struct{}](t, &ss[i], ps[i])
	}
	v, ok := c.TryReceive()
	require.True(t, ok)
	got = append(got, v)
	require.Equal(t, []int{0, 1, 2, 3}, got)
}

func TestChannelSendFutureCompletesOnceAndResets(t *testing.T) {
	c := NewChannel[int](4)
	p := newSyncProbe(t)
	tx := c.Send(1)
	require.False(t, tx.Done())
	syncReady[struct{}](t, &tx, p)
	require.True(t, tx.Done())
	syncReady[struct{}](t, &tx, p, "polling a completed send again sends nothing")
	tx.Cancel() // after completion: nothing to withdraw
	require.Equal(t, 1, c.Len())
	tx.Reset(2)
	require.False(t, tx.Done())
	syncReady[struct{}](t, &tx, p)
	require.Equal(t, 2, c.Len())
}

func TestChannelCancelledReceiverDoesNotSwallowAValue(t *testing.T) {
	c := NewChannel[int](2)
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	r1, r2 := c.Receive(), c.Receive()
	syncPending[int](t, &r1, p1)
	syncPending[int](t, &r2, p2)

	// A queued receiver that is cancelled leaves the queue.
	r1.Cancel()
	require.True(t, c.TrySend(1))
	require.False(t, p1.woken())
	require.True(t, p2.woken(), "the value went to the receiver still waiting")
	require.Equal(t, 1, syncReady[int](t, &r2, p2))

	// A receiver granted a value and cancelled before seeing it passes the value on...
	//gohalvet:ignore armed r1 was cancelled and syncReady completed r2 above
	r1, r2 = c.Receive(), c.Receive()
	syncPending[int](t, &r1, p1)
	syncPending[int](t, &r2, p2)
	require.True(t, c.TrySend(2))
	require.True(t, p1.woken())
	r1.Cancel()
	require.True(t, p2.woken(), "the cancelled receiver's value passes to the next one")
	require.Equal(t, 2, syncReady[int](t, &r2, p2))

	// ... or leaves it in the channel.
	syncPending[int](t, &r1, p1)
	require.True(t, c.TrySend(3))
	require.True(t, p1.woken())
	r1.Cancel()
	r1.Cancel() // idempotent
	v, ok := c.TryReceive()
	require.True(t, ok, "the value stayed in the channel")
	require.Equal(t, 3, v)
}

func TestChannelCancelledSenderSendsNothingAndPassesItsSlotOn(t *testing.T) {
	c := NewChannel[int](1)
	require.True(t, c.TrySend(0))
	p1, p2 := newSyncProbe(t), newSyncProbe(t)
	s1, s2 := c.Send(1), c.Send(2)
	syncPending[struct{}](t, &s1, p1)
	syncPending[struct{}](t, &s2, p2)
	s1.Cancel()
	v, _ := c.TryReceive()
	require.Equal(t, 0, v)
	require.False(t, p1.woken())
	require.True(t, p2.woken())
	syncReady[struct{}](t, &s2, p2)
	v, _ = c.TryReceive()
	require.Equal(t, 2, v, "the cancelled sender's value never entered the channel")

	// A granted sender cancelled before it sent passes the slot on.
	require.True(t, c.TrySend(0))
	//gohalvet:ignore armed s1 was cancelled and syncReady completed s2 above
	s1, s2 = c.Send(1), c.Send(2)
	syncPending[struct{}](t, &s1, p1)
	syncPending[struct{}](t, &s2, p2)
	_, _ = c.TryReceive()
	require.True(t, p1.woken())
	s1.Cancel()
	require.True(t, p2.woken())
	syncReady[struct{}](t, &s2, p2)
	v, _ = c.TryReceive()
	require.Equal(t, 2, v)
	_, ok := c.TryReceive()
	require.False(t, ok)

	// And with nobody behind it, the slot is free again.
	require.True(t, c.TrySend(0))
	syncPending[struct{}](t, &s1, p1)
	_, _ = c.TryReceive()
	s1.Cancel()
	require.True(t, c.TrySend(5), "the slot is free for anyone")
}

func TestChannelReceiveLosingASelectLeavesTheQueue(t *testing.T) {
	c := NewChannel[int](1)
	p := newSyncProbe(t)
	rx := c.Receive()
	var other Pending[int]
	sel := Select[int, int](&rx, other)
	syncPending[Either[int, int]](t, sel, p)
	// The other arm wins: Select cancels the receive.
	sel = Select[int, int](&rx, Ready[int]{Value: 9})
	syncPending[int](t, &rx, p) // still queued from the first Select
	got := syncReady[Either[int, int]](t, sel, p)
	require.Equal(t, 1, got.Which)
	require.True(t, c.TrySend(4))
	require.False(t, p.woken(), "the cancelled receiver was not woken")
	v, ok := c.TryReceive()
	require.True(t, ok, "the losing receiver left the queue")
	require.Equal(t, 4, v)
}

// chanTask is a stackless task that receives n values from a channel and sums them.
type chanTask struct {
	rx   ReceiveFuture[int]
	n    int
	got  []int
	done atomic.Bool
}

func (c *chanTask) Poll(cx *Context) bool {
	for len(c.got) < c.n {
		v, ok := c.rx.Poll(cx)
		if !ok {
			return false
		}
		c.got = append(c.got, v)
	}
	c.done.Store(true)
	return true
}

// pollUntil polls e in a loop on the calling goroutine until done reports true.
func pollUntil(e *Executor, done func() bool) {
	for !done() {
		e.Poll()
		runtime.Gosched()
	}
}

func TestChannelStressGoroutinesIntoATask(t *testing.T) {
	const producers, each = 8, 2000
	c := NewChannel[int](4)
	e := newExec(t, Config{Name: "stress", Tasks: 2})
	task := &chanTask{rx: c.Receive(), n: producers * each}
	_, err := e.Spawner().Spawn(task)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for g := 0; g < producers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				v := g<<16 | i
				if g%2 == 0 {
					c.SendBlocking(v)
					continue
				}
				for !c.TrySend(v) { // an "interrupt handler" that retries
					runtime.Gosched()
				}
			}
		}(g)
	}
	polled := make(chan struct{})
	go func() {
		pollUntil(e, task.done.Load)
		close(polled)
	}()
	wg.Wait()
	<-polled

	require.Len(t, task.got, producers*each)
	next := make([]int, producers)
	for _, v := range task.got {
		g, i := v>>16, v&0xFFFF
		require.Equal(t, next[g], i, "producer %d's values arrive in order", g)
		next[g]++
	}
}

func TestChannelStressManyToMany(t *testing.T) {
	const producers, consumers, each = 4, 4, 1000
	c := NewChannel[int](2)
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
	var cw sync.WaitGroup
	for k := 0; k < consumers; k++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for i := 0; i < each; i++ {
				if k%2 == 0 {
					seen[c.ReceiveBlocking()].Add(1)
					continue
				}
				// A receiver that sometimes gives up (a Select loser): it must not lose values.
				for {
					rx := c.Receive()
					p := parkerProbe()
					if v, ok := rx.Poll(p.cx()); ok {
						p.release()
						seen[v].Add(1)
						break
					}
					runtime.Gosched()
					rx.Cancel()
					p.release()
				}
			}
		}()
	}
	wg.Wait()
	cw.Wait()
	for i := range seen {
		assert.Equal(t, int32(1), seen[i].Load(), "value %d received exactly once", i)
	}
}

// parkerProbe is a syncProbe outside a test's cleanup, released by hand.
type manualProbe struct {
	syncProbe
	idx uint32
}

func parkerProbe() *manualProbe {
	idx, p := getParker()
	return &manualProbe{syncProbe{p}, idx}
}

func (m *manualProbe) release() { putParker(m.idx) }

// Regression (issue 13, item 10): a second Init silently dropped the channel's contents and
// waiters.
func TestChannelInitTwicePanics(t *testing.T) {
	var c Channel[int]
	c.Init(make([]int, 2))
	require.PanicsWithValue(t, "async: Channel.Init called on a channel already initialised: it would drop the values and waiters it holds; make a new Channel instead", func() { c.Init(make([]int, 2)) })
}
