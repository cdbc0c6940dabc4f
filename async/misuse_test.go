package async

//gohalvet:ignore-file armed these tests overwrite armed futures on purpose, to test the run-time detection

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for issue 13, defect 3: a future that links itself into a queue (a timer
// into the timer queue, a waiter into a Channel's, Signal's, Mutex's or Notify's wait queue)
// and is then overwritten (tm = async.After(d) over a queued tm) or copied while linked used
// to cut every future queued behind it out of the queue: other tasks' timers never fired and
// other senders were never served. Now the queue checks the nodes it touches, repairs itself
// around the stale node, and the misused future panics naming its type and what to do.

// rawCopy copies *src to *dst as an assignment does, out of go vet's sight (its copylocks
// check reports such copies of futures in ordinary code): these tests copy on purpose.
func rawCopy[T any](dst, src *T) { reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem()) }

// panicOf runs fn and returns what it panicked with, as a string ("" if it did not panic).
func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

// requireMisuse requires msg, what a call panicked with, to be the message of the given
// misuse ("overwritten" or "copied") of a future of type typ, naming the method to reuse it
// with. The tests check it last, after what matters more: that the others were served.
func requireMisuse(t *testing.T, msg, typ, how, fix string) {
	t.Helper()
	require.NotEmpty(t, msg, "the misused %s panics", typ)
	require.Contains(t, msg, "async: "+typ+" "+how+" while armed")
	require.Contains(t, msg, fix)
	if how == "overwritten" {
		require.Contains(t, msg, "Cancel it first")
	}
}

// channelFull returns a channel of capacity 1 holding one value.
func channelFull(t *testing.T) *Channel[int] {
	c := NewChannel[int](1)
	require.True(t, c.TrySend(0))
	return c
}

// Two senders wait on a full channel; the second assigns a new SendFuture over its waiting
// one. Before the fix its poll linked it again behind itself and the first sender's grant
// took the queue's head with it: later senders were never served.
func TestOverwrittenWaitingSendFuturePanicsAndTheOtherSenderIsServed(t *testing.T) {
	c := channelFull(t)
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := c.Send(1), c.Send(2)
	syncPending[struct{}](t, &a, pa)
	syncPending[struct{}](t, &b, pb)
	b = c.Send(3) // over the waiting b
	misuse3 := panicOf(func() { b.Poll(pb.cx()) })

	v, ok := c.TryReceive()
	require.True(t, ok)
	require.Equal(t, 0, v)
	require.True(t, pa.woken(), "the other sender is granted the slot")
	syncReady[struct{}](t, &a, pa)
	v, ok = c.TryReceive()
	require.True(t, ok)
	require.Equal(t, 1, v)
	require.True(t, c.TrySend(9), "the channel works on")
	requireMisuse(t, misuse3, "SendFuture", "overwritten", "Reset(v) or Init(ch, v)")
}

// Three senders; the middle one is overwritten and polled again, which no O(1) check of its
// own can see: the receiver's grant finds the broken links, repairs the queue, and the
// misused future panics when it is polled. Every sender gets its turn, in order.
func TestOverwrittenSenderInTheMiddleIsRepairedByTheNextGrant(t *testing.T) {
	c := channelFull(t)
	p := [3]*syncProbe{newSyncProbe(t), newSyncProbe(t), newSyncProbe(t)}
	f := [3]SendFuture[int]{c.Send(1), c.Send(2), c.Send(3)}
	for i := range f {
		syncPending[struct{}](t, &f[i], p[i])
	}
	f[1] = c.Send(20)
	syncPending[struct{}](t, &f[1], p[1], "queued again: not detectable yet")

	got := []int{}
	v, _ := c.TryReceive()
	got = append(got, v)
	require.True(t, p[0].woken())
	syncReady[struct{}](t, &f[0], p[0])
	v, _ = c.TryReceive()
	got = append(got, v)
	require.True(t, p[2].woken(), "the sender behind the overwritten one is served")
	syncReady[struct{}](t, &f[2], p[2])
	v, _ = c.TryReceive()
	got = append(got, v)
	require.Equal(t, []int{0, 1, 3}, got)

	misuse4 := panicOf(func() { f[1].Poll(p[1].cx()) })
	require.True(t, c.TrySend(4), "the slot the misused sender was granted came back")
	requireMisuse(t, misuse4, "SendFuture", "overwritten", "Reset(v)")
}

// A sender granted a slot (woken) overwrites its future before polling it. Before the fix
// the reserved slot was never released: with capacity 1 the channel was dead for everyone.
func TestOverwrittenGrantedSendFuturePassesTheSlotOn(t *testing.T) {
	c := channelFull(t)
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := c.Send(1), c.Send(2)
	syncPending[struct{}](t, &a, pa)
	syncPending[struct{}](t, &b, pb)
	v, _ := c.TryReceive()
	require.Equal(t, 0, v)
	require.True(t, pa.woken(), "a is granted the slot")
	a = c.Send(10)
	misuse5 := panicOf(func() { a.Poll(pa.cx()) })
	require.True(t, pb.woken(), "the slot passed to the next sender")
	syncReady[struct{}](t, &b, pb)
	v, _ = c.TryReceive()
	require.Equal(t, 2, v)
	requireMisuse(t, misuse5, "SendFuture", "overwritten", "Reset(v)")
}

// Receivers: the same on an empty channel.
func TestOverwrittenWaitingReceiveFuturePanicsAndTheOtherReceiverIsServed(t *testing.T) {
	c := NewChannel[int](2)
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := c.Receive(), c.Receive()
	syncPending[int](t, &a, pa)
	syncPending[int](t, &b, pb)
	a = c.Receive()
	misuse6 := panicOf(func() { a.Poll(pa.cx()) })
	require.True(t, c.TrySend(7))
	require.True(t, pb.woken())
	require.Equal(t, 7, syncReady[int](t, &b, pb))

	// Granted, then overwritten: the value goes to the next receiver instead of being lost.
	syncPending[int](t, &b, pb)
	var a2 ReceiveFuture[int]
	a2.Init(c)
	syncPending[int](t, &a2, pa)
	require.True(t, c.TrySend(8))
	require.True(t, pb.woken())
	b = c.Receive()
	misuse7 := panicOf(func() { b.Poll(pb.cx()) })
	require.True(t, pa.woken(), "the value passed to the next receiver")
	require.Equal(t, 8, syncReady[int](t, &a2, pa))
	requireMisuse(t, misuse6, "ReceiveFuture", "overwritten", "Init(ch)")
	requireMisuse(t, misuse7, "ReceiveFuture", "overwritten", "Init(ch)")
}

// A copy of a waiting SendFuture, polled: it panics at once, and the original is taken out
// of the queue and woken (so its owner re-queues it if it is still in use).
func TestCopiedWaitingSendFuturePanicsAndTheOriginalLeavesTheQueue(t *testing.T) {
	c := channelFull(t)
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := c.Send(1), c.Send(2)
	syncPending[struct{}](t, &a, pa)
	syncPending[struct{}](t, &b, pb)
	var cp SendFuture[int]
	rawCopy(&cp, &a)
	misuse8 := panicOf(func() { cp.Poll(pb.cx()) })
	require.True(t, pa.woken(), "the original's owner is woken")
	v, _ := c.TryReceive()
	require.Equal(t, 0, v)
	require.True(t, pb.woken(), "b, next in line now, is served")
	syncReady[struct{}](t, &b, pb)
	syncPending[struct{}](t, &a, pa, "a queues again")
	v, _ = c.TryReceive()
	require.Equal(t, 2, v)
	require.True(t, pa.woken())
	syncReady[struct{}](t, &a, pa)
	requireMisuse(t, misuse8, "SendFuture", "copied", "Reset(v)")
}

// Five senders; the second and the fourth overwritten between two queue operations: the
// queue cannot tell who waited between them and panics in the operation that finds it,
// instead of hanging those senders silently.
func TestSendersOverwrittenApartPanicAtTheQueue(t *testing.T) {
	c := channelFull(t)
	p := newSyncProbe(t)
	f := make([]SendFuture[int], 5)
	for i := range f {
		f[i].Init(c, i)
		syncPending[struct{}](t, &f[i], p)
	}
	f[1] = c.Send(10)
	f[3] = c.Send(30)
	msg := panicOf(func() { c.TryReceive() })
	require.Contains(t, msg, "async: SendFutures overwritten or copied while armed, several at once: waiters were lost")
}

func TestOverwrittenSignalFuturePanicsAndTheOtherWaiterGetsTheValue(t *testing.T) {
	var s Signal[int]
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := s.Wait(), s.Wait()
	syncPending[int](t, &a, pa)
	syncPending[int](t, &b, pb)
	a = s.Wait()
	misuse9 := panicOf(func() { a.Poll(pa.cx()) })
	s.Signal(1)
	require.True(t, pb.woken())
	require.Equal(t, 1, syncReady[int](t, &b, pb))

	// Granted the value, then overwritten: the value goes to the next waiter.
	var a2 SignalFuture[int]
	a2.Init(&s)
	syncPending[int](t, &b, pb)
	syncPending[int](t, &a2, pa)
	s.Signal(2)
	require.True(t, pb.woken())
	b = s.Wait()
	misuse10 := panicOf(func() { b.Poll(pb.cx()) })
	require.True(t, pa.woken(), "the value passed to the next waiter")
	require.Equal(t, 2, syncReady[int](t, &a2, pa))
	requireMisuse(t, misuse9, "SignalFuture", "overwritten", "Init(s)")
	requireMisuse(t, misuse10, "SignalFuture", "overwritten", "Init(s)")
}

func TestOverwrittenLockFuturePanicsAndTheLockPassesOn(t *testing.T) {
	var m Mutex
	require.True(t, m.TryLock())
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := m.Lock(), m.Lock()
	syncPending[struct{}](t, &a, pa)
	syncPending[struct{}](t, &b, pb)
	a = m.Lock()
	misuse11 := panicOf(func() { a.Poll(pa.cx()) })
	m.Unlock()
	require.True(t, pb.woken(), "the lock goes to the other waiter")
	syncReady[struct{}](t, &b, pb)

	// Handed the lock, then overwritten: the lock passes on instead of staying held by
	// nobody.
	var a2 LockFuture
	a2.Init(&m)
	syncPending[struct{}](t, &a2, pa)
	var c LockFuture
	c.Init(&m)
	pc := newSyncProbe(t)
	syncPending[struct{}](t, &c, pc)
	m.Unlock()
	require.True(t, pa.woken(), "a2 is handed the lock")
	a2 = m.Lock()
	misuse12 := panicOf(func() { a2.Poll(pa.cx()) })
	require.True(t, pc.woken(), "the lock passed to the next waiter")
	syncReady[struct{}](t, &c, pc)
	m.Unlock()
	require.False(t, m.Locked())
	requireMisuse(t, misuse11, "LockFuture", "overwritten", "Init(m)")
	requireMisuse(t, misuse12, "LockFuture", "overwritten", "Init(m)")
}

func TestOverwrittenNotifiedFuturePanicsAndTheNotificationPassesOn(t *testing.T) {
	var n Notify
	pa, pb := newSyncProbe(t), newSyncProbe(t)
	a, b := n.Notified(), n.Notified()
	syncPending[struct{}](t, &a, pa)
	syncPending[struct{}](t, &b, pb)
	a = n.Notified()
	misuse13 := panicOf(func() { a.Poll(pa.cx()) })
	n.NotifyOne()
	require.True(t, pb.woken(), "the other waiter is notified")
	syncReady[struct{}](t, &b, pb)

	// Notified, then overwritten: the NotifyOne passes to the next waiter.
	var a2 NotifiedFuture
	a2.Init(&n)
	syncPending[struct{}](t, &b, pb)
	syncPending[struct{}](t, &a2, pa)
	n.NotifyOne()
	require.True(t, pb.woken())
	b = n.Notified()
	misuse14 := panicOf(func() { b.Poll(pb.cx()) })
	require.True(t, pa.woken(), "the notification passed to the next waiter")
	syncReady[struct{}](t, &a2, pa)
	require.False(t, n.HasPermit())
	requireMisuse(t, misuse13, "NotifiedFuture", "overwritten", "Init(n)")
	requireMisuse(t, misuse14, "NotifiedFuture", "overwritten", "Init(n)")
}

// Every misuse message fits the buffer the chip composes it in (a longer one would be cut
// short), names its future type and its reuse method, and says what was done.
func TestMisuseMessagesFitTheChipsBufferAndNameTheFix(t *testing.T) {
	composed := 0
	for kind := uint8(kindSend); kind < numKinds; kind++ {
		for how := howOverwritten; how <= howLost; how++ {
			var b [maxMisuseText + 64]byte
			n := misuseError(int(kind)*3 + how).compose((*[maxMisuseText]byte)(b[:maxMisuseText]))
			msg := misuseOf(kind, how).Error()
			require.Less(t, len(msg), maxMisuseText, "kind %d how %d: %q", kind, how, msg)
			require.Equal(t, msg, string(b[:n]))
			if msg == unknownMisuse {
				continue
			}
			composed++
			require.True(t, strings.HasPrefix(msg, "async: "), msg)
			if kind == kindAwait {
				assert.Contains(t, msg, "async.T")
				assert.Contains(t, msg, awaitOnly)
				continue
			}
			assert.Contains(t, msg, futureNames[kind], "names the future")
			assert.True(t, strings.HasSuffix(msg, futureFixes[kind]), "ends with the fix: %q", msg)
			assert.Contains(t, msg, []string{"overwritten while armed (", "copied while armed", "several at once"}[how])
		}
	}
	assert.Equal(t, 7*3-1+2, composed, "every kind's three misuses, less the Ticker's lost waiters, and the typed await's two")
}
