package async

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The primitives' typed awaits for straight-line tasks (Channel.AwaitSend, AwaitReceive,
// Signal.Await, Mutex.AwaitLock, Notify.AwaitNotified): their waiter lives in the task's T.

func TestChannelAwaitSendAndReceiveDeliverInOrder(t *testing.T) {
	e := newExec(t, Config{Tasks: 3})
	c := NewChannel[int](2)
	var got []int
	_, err := e.Spawner().Spawn(GoNamed("producer", func(t *T) {
		for i := 1; i <= 20; i++ {
			c.AwaitSend(t, i) // waits whenever the consumer falls two behind
		}
	}))
	require.NoError(t, err)
	_, err = e.Spawner().Spawn(GoNamed("consumer", func(t *T) {
		for len(got) < 20 {
			got = append(got, c.AwaitReceive(t))
			if len(got)%3 == 0 {
				Yield(t) // let the producer fill the channel
			}
		}
	}))
	require.NoError(t, err)
	e.Poll()
	want := make([]int, 20)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, got)
	require.Equal(t, 0, e.Len(), "both functions returned")
	require.Equal(t, 0, c.Len())
}

func TestSignalAwaitNotifyAwaitNotifiedAndMutexAwaitLockInATask(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	var s Signal[string]
	var n Notify
	var m Mutex
	var log []string
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		log = append(log, "signal "+s.Await(t))
		log = append(log, "signal "+s.Await(t)) // the value already signalled: at once
		n.AwaitNotified(t)
		log = append(log, "notified")
		n.AwaitNotified(t) // the stored permit: at once
		log = append(log, "permit")
		m.AwaitLock(t)
		log = append(log, "locked")
		m.Unlock()
	}))
	require.NoError(t, err)
	e.Poll()
	require.Empty(t, log, "nothing signalled yet")
	s.Signal("a")
	s.Signal("b") // replaces a before the task runs
	e.Poll()
	require.Equal(t, []string{"signal b"}, log)
	s.Signal("c")
	e.Poll()
	require.Equal(t, []string{"signal b", "signal c"}, log, "waits for notify now")
	n.NotifyOne()
	n.NotifyOne() // no waiter yet when it runs: stored as the permit
	require.True(t, m.TryLock())
	e.Poll()
	require.Equal(t, []string{"signal b", "signal c", "notified", "permit"}, log, "waits for the Mutex now")
	require.False(t, n.HasPermit())
	m.Unlock() // hands it to the task
	require.True(t, m.Locked(), "held for the task, not free for a TryLock")
	e.Poll()
	require.Equal(t, "locked", log[len(log)-1])
	require.False(t, m.Locked())
	require.Equal(t, 0, e.Len())
}

// fifoLog is a straight-line task's record of what it completed, for the fairness tests.
type fifoLog struct{ got []string }

func (l *fifoLog) add(format string, args ...any) {
	l.got = append(l.got, fmt.Sprintf(format, args...))
}

// Senders are served in the order they queued, futures and awaits alike: a future, then a
// task in AwaitSend, then another future, then a second task.
func TestAwaitSendIsFIFOWithSendFutures(t *testing.T) {
	e := newExec(t, Config{Tasks: 2})
	c := channelFull(t)
	pa, pc := newSyncProbe(t), newSyncProbe(t)
	a, cf := c.Send(1), c.Send(3)
	syncPending[struct{}](t, &a, pa)
	_, err := e.Spawner().Spawn(Go(func(t *T) { c.AwaitSend(t, 2) }))
	require.NoError(t, err)
	e.Poll()
	syncPending[struct{}](t, &cf, pc)
	_, err = e.Spawner().Spawn(Go(func(t *T) { c.AwaitSend(t, 4) }))
	require.NoError(t, err)
	e.Poll()

	var got []int
	for i := 0; i < 5; i++ {
		v, ok := c.TryReceive() // grants the slot to the next sender in line
		require.True(t, ok)
		got = append(got, v)
		if i < 4 {
			require.False(t, c.TrySend(99), "the slot is reserved: no barging")
		}
		if pa.woken() {
			syncReady[struct{}](t, &a, pa)
		}
		if pc.woken() {
			syncReady[struct{}](t, &cf, pc)
		}
		e.Poll()
	}
	require.Equal(t, []int{0, 1, 2, 3, 4}, got)
	require.Equal(t, 0, e.Len())
}

// Receivers likewise: a task in AwaitReceive between two ReceiveFutures, then a second task.
func TestAwaitReceiveIsFIFOWithReceiveFutures(t *testing.T) {
	e := newExec(t, Config{Tasks: 2})
	c := NewChannel[int](1)
	pa, pc := newSyncProbe(t), newSyncProbe(t)
	a, cf := c.Receive(), c.Receive()
	var log fifoLog
	syncPending[int](t, &a, pa)
	_, err := e.Spawner().Spawn(Go(func(t *T) { log.add("B %d", c.AwaitReceive(t)) }))
	require.NoError(t, err)
	e.Poll()
	syncPending[int](t, &cf, pc)
	_, err = e.Spawner().Spawn(Go(func(t *T) { log.add("D %d", c.AwaitReceive(t)) }))
	require.NoError(t, err)
	e.Poll()

	for i := 1; i <= 4; i++ {
		require.True(t, c.TrySend(i)) // reserved for the next receiver in line
		_, ok := c.TryReceive()
		require.False(t, ok, "the value is reserved: no barging")
		if pa.woken() {
			log.add("A %d", syncReady[int](t, &a, pa))
		}
		if pc.woken() {
			log.add("C %d", syncReady[int](t, &cf, pc))
		}
		e.Poll()
	}
	require.Equal(t, []string{"A 1", "B 2", "C 3", "D 4"}, log.got)
	require.Equal(t, 0, e.Len())
}

func TestAwaitLockIsFIFOWithLockFutures(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	var m Mutex
	require.True(t, m.TryLock())
	pa, pc := newSyncProbe(t), newSyncProbe(t)
	a, cf := m.Lock(), m.Lock()
	var log fifoLog
	syncPending[struct{}](t, &a, pa)
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		m.AwaitLock(t)
		log.add("B")
		m.Unlock()
	}))
	require.NoError(t, err)
	e.Poll()
	syncPending[struct{}](t, &cf, pc)

	m.Unlock()
	require.True(t, pa.woken())
	require.False(t, m.TryLock(), "handed to a: no barging")
	syncReady[struct{}](t, &a, pa)
	log.add("A")
	m.Unlock() // to the task, which unlocks it to c
	e.Poll()
	require.True(t, pc.woken())
	syncReady[struct{}](t, &cf, pc)
	log.add("C")
	m.Unlock()
	require.Equal(t, []string{"A", "B", "C"}, log.got)
	require.False(t, m.Locked())
}

func TestSignalAwaitIsFIFOWithSignalFutures(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	var s Signal[int]
	pa, pc := newSyncProbe(t), newSyncProbe(t)
	a, cf := s.Wait(), s.Wait()
	var log fifoLog
	syncPending[int](t, &a, pa)
	_, err := e.Spawner().Spawn(Go(func(t *T) { log.add("B %d", s.Await(t)) }))
	require.NoError(t, err)
	e.Poll()
	syncPending[int](t, &cf, pc)

	for i := 1; i <= 3; i++ {
		s.Signal(i)
		_, ok := s.TryTake()
		require.False(t, ok, "reserved for the waiter woken")
		if pa.woken() {
			log.add("A %d", syncReady[int](t, &a, pa))
		}
		if pc.woken() {
			log.add("C %d", syncReady[int](t, &cf, pc))
		}
		e.Poll()
	}
	require.Equal(t, []string{"A 1", "B 2", "C 3"}, log.got)
	require.Equal(t, 0, e.Len())
}

func TestAwaitNotifiedIsFIFOWithNotifiedFutures(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	var n Notify
	pa, pc := newSyncProbe(t), newSyncProbe(t)
	a, cf := n.Notified(), n.Notified()
	var log fifoLog
	syncPending[struct{}](t, &a, pa)
	_, err := e.Spawner().Spawn(Go(func(t *T) { n.AwaitNotified(t); log.add("B") }))
	require.NoError(t, err)
	e.Poll()
	syncPending[struct{}](t, &cf, pc)

	for i := 0; i < 3; i++ {
		n.NotifyOne()
		if pa.woken() {
			syncReady[struct{}](t, &a, pa)
			log.add("A")
		}
		if pc.woken() {
			syncReady[struct{}](t, &cf, pc)
			log.add("C")
		}
		e.Poll()
	}
	require.Equal(t, []string{"A", "B", "C"}, log.got)
	require.False(t, n.HasPermit(), "each NotifyOne went to a waiter")

	// NotifyAll releases a task and a future alike.
	_, err = e.Spawner().Spawn(Go(func(t *T) { n.AwaitNotified(t); log.add("B") }))
	require.NoError(t, err)
	e.Poll()
	syncPending[struct{}](t, &a, pa)
	n.NotifyAll()
	e.Poll()
	syncReady[struct{}](t, &a, pa)
	require.Equal(t, 0, e.Len())
}

// awaitKit drives one typed await and the futures of its kind, for the table-driven tests.
type awaitKit struct {
	name string
	// init makes a fresh primitive in which a waiter waits (a full or empty channel, a
	// locked Mutex, an unsignalled Signal, a Notify without permit).
	init func()
	// future returns a new future of the await's kind, on the heap, and its waitOp.
	future func() (poll func(*Context) bool, op *waitOp)
	// await is the typed await; serve releases the first waiter (a value, a slot, the
	// Mutex, a NotifyOne); stepped is serve as the allocation test repeats it.
	await func(t *T)
	serve func()
}

func pollOf[R any](f Future[R]) func(*Context) bool {
	return func(cx *Context) bool { _, ok := f.Poll(cx); return ok }
}

func awaitKits() []*awaitKit {
	var c *Channel[int]
	var s *Signal[int]
	var m *Mutex
	var n *Notify
	return []*awaitKit{
		{
			name: "Channel.AwaitSend",
			init: func() { c = NewChannel[int](1); c.TrySend(0) },
			future: func() (func(*Context) bool, *waitOp) {
				f := new(SendFuture[int])
				f.Init(c, 1)
				return pollOf[struct{}](f), &f.op
			},
			await: func(t *T) { c.AwaitSend(t, 2) },
			serve: func() { c.TryReceive() },
		},
		{
			name: "Channel.AwaitReceive",
			init: func() { c = NewChannel[int](1) },
			future: func() (func(*Context) bool, *waitOp) {
				f := new(ReceiveFuture[int])
				f.Init(c)
				return pollOf[int](f), &f.op
			},
			await: func(t *T) { c.AwaitReceive(t) },
			serve: func() { c.TrySend(5) },
		},
		{
			name: "Signal.Await",
			init: func() { s = new(Signal[int]) },
			future: func() (func(*Context) bool, *waitOp) {
				f := new(SignalFuture[int])
				f.Init(s)
				return pollOf[int](f), &f.op
			},
			await: func(t *T) { s.Await(t) },
			serve: func() { s.Signal(5) },
		},
		{
			name: "Mutex.AwaitLock",
			init: func() { m = new(Mutex); m.TryLock() },
			future: func() (func(*Context) bool, *waitOp) {
				f := new(LockFuture)
				f.Init(m)
				return pollOf[struct{}](f), &f.op
			},
			await: func(t *T) { m.AwaitLock(t) },
			serve: func() { m.Unlock() },
		},
		{
			name: "Notify.AwaitNotified",
			init: func() { n = new(Notify) },
			future: func() (func(*Context) bool, *waitOp) {
				f := new(NotifiedFuture)
				f.Init(n)
				return pollOf[struct{}](f), &f.op
			},
			await: func(t *T) { n.AwaitNotified(t) },
			serve: func() { n.NotifyOne() },
		},
	}
}

// queueWithLostWaiters queues four futures of k's kind and overwrites the second and the
// fourth: the next enqueue's repair keeps the first, loses the two between, and makes the
// primitive panic once its lock is released. It returns the first future's poll and probe.
func queueWithLostWaiters(t *testing.T, k *awaitKit) (func(*Context) bool, *syncProbe) {
	t.Helper()
	var ops [4]*waitOp
	var first func(*Context) bool
	pf := newSyncProbe(t)
	for i := range ops {
		var poll func(*Context) bool
		poll, ops[i] = k.future()
		require.False(t, poll(pf.cx()))
		if i == 0 {
			first = poll
		}
	}
	ops[1].w, ops[3].w = waiter{}, waiter{} // two futures overwritten, apart
	return first, pf
}

// A task whose function ends while its typed await is queued takes its waiter out of the
// queue before it finishes: otherwise the next value, slot, lock or NotifyOne would be
// reserved for a task that is gone, and the next waiter would never be woken.
//
// What ends the function mid-await: the queue's repair, run by the await's own enqueue,
// finds that two futures queued apart were overwritten and waiters were lost; the await
// has queued its waiter (behind the first future) when it panics with that message, after
// unlocking. The function
// either lets the panic end the task, or recovers it and returns.
func TestTypedAwaitLeavesTheQueueWhenItsFunctionEnds(t *testing.T) {
	for _, k := range awaitKits() {
		for _, recovers := range []bool{false, true} {
			name := k.name + "/panics"
			if recovers {
				name = k.name + "/recovers-and-returns"
			}
			t.Run(name, func(t *testing.T) {
				var panics []TaskPanic
				e := newExec(t, Config{Tasks: 1, OnPanic: func(p TaskPanic) { panics = append(panics, p) }})
				k.init()
				first, pf := queueWithLostWaiters(t, k)

				var recovered any
				_, err := e.Spawner().Spawn(Go(func(t *T) {
					if recovers {
						defer func() { recovered = recover() }()
					}
					k.await(t)
				}))
				require.NoError(t, err)
				e.Poll()
				require.Equal(t, 0, e.Len(), "the function ended")
				if recovers {
					require.Empty(t, panics)
					require.Contains(t, fmt.Sprint(recovered), "waiters were lost")
				} else {
					require.Len(t, panics, 1)
					require.Contains(t, fmt.Sprint(panics[0].Value), "waiters were lost")
				}

				// The waiters after the first are served: nothing is reserved for the task
				// that is gone.
				p := newSyncProbe(t)
				poll, _ := k.future()
				require.False(t, poll(p.cx()))
				k.serve()
				require.True(t, pf.woken(), "the first waiter is served first")
				require.True(t, first(pf.cx()))
				k.serve()
				require.True(t, p.woken(), "the next waiter is woken")
				require.True(t, poll(p.cx()))
			})
		}
	}
}

// A function that recovers a typed await's panic and awaits again: the waiter left queued
// is cancelled first, as a future's Init cancels what it was doing, and the new await waits
// normally.
func TestTypedAwaitAfterARecoveredPanicCancelsTheWaiterLeftQueued(t *testing.T) {
	for _, k := range awaitKits() {
		t.Run(k.name, func(t *testing.T) {
			e := newExec(t, Config{Tasks: 1})
			k.init()
			first, pf := queueWithLostWaiters(t, k)
			var recovered any
			done := false
			_, err := e.Spawner().Spawn(Go(func(t *T) {
				func() {
					defer func() { recovered = recover() }()
					k.await(t) // panics with its waiter queued
				}()
				k.await(t)
				done = true
			}))
			require.NoError(t, err)
			e.Poll()
			require.Contains(t, fmt.Sprint(recovered), "waiters were lost")
			require.False(t, done, "the second await waits")
			k.serve()
			require.True(t, pf.woken())
			require.True(t, first(pf.cx()))
			k.serve()
			e.Poll()
			require.True(t, done, "and is served, after the first waiter")
			require.Equal(t, 0, e.Len())
		})
	}
}

// In steady state a typed await that waits (queues, is woken, completes) allocates nothing.
// Each step serves the task's waiting await and polls the task, which completes it and waits
// in the next one.
func TestTypedAwaitsDoNotAllocate(t *testing.T) {
	for _, k := range awaitKits() {
		t.Run(k.name, func(t *testing.T) {
			e := newExec(t, Config{Tasks: 1})
			k.init() // the Mutex stays locked: each await is handed it by the Unlock in serve
			stop, rounds := false, 0
			_, err := e.Spawner().Spawn(Go(func(t *T) {
				for !stop {
					k.await(t)
					rounds++
				}
			}))
			require.NoError(t, err)
			e.Poll()
			require.Zero(t, rounds, "the first await waits")
			allocs := testing.AllocsPerRun(1000, func() {
				k.serve()
				e.Poll()
			})
			require.Zero(t, allocs)
			require.Equal(t, 1001, rounds, "every step completed one await, and the next waits")
			stop = true
			k.serve()
			e.Poll()
			require.Equal(t, 0, e.Len())
		})
	}
}

// The idiom the typed awaits replace: a future in the function's own variable escapes to the
// heap (the queue records its address), once per await. If this stopped allocating, the zero
// of TestTypedAwaitsDoNotAllocate would prove nothing.
func TestAwaitOfALocalFutureAllocates(t *testing.T) {
	e := newExec(t, Config{Tasks: 1})
	c := NewChannel[int](1)
	stop := false
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		for !stop {
			f := c.Receive()
			Await(t, &f)
		}
	}))
	require.NoError(t, err)
	e.Poll()
	allocs := testing.AllocsPerRun(1000, func() {
		c.TrySend(1)
		e.Poll()
	})
	require.GreaterOrEqual(t, allocs, 1.0)
	stop = true
	c.TrySend(1)
	e.Poll()
}

// Each typed await checks its *T first: with another task's T (or after the function
// returned) it panics before touching the primitive or the T's waiter.
func TestTypedAwaitsWithAnotherTasksTPanicWithoutTouchingAnything(t *testing.T) {
	e := newExec(t, Config{Tasks: 2})
	c := NewChannel[int](1)
	var ownerT *T
	got := -1
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		ownerT = t
		got = c.AwaitReceive(t) // queued while the other task misuses its T
	}))
	require.NoError(t, err)
	var s Signal[int]
	var m Mutex
	var n Notify
	var msgs []string
	_, err = e.Spawner().Spawn(Go(func(t *T) {
		for _, f := range []func(){
			func() { c.AwaitSend(ownerT, 1) },
			func() { c.AwaitReceive(ownerT) },
			func() { s.Await(ownerT) },
			func() { m.AwaitLock(ownerT) },
			func() { n.AwaitNotified(ownerT) },
		} {
			msgs = append(msgs, panicOf(f))
		}
	}))
	require.NoError(t, err)
	e.Poll()
	const tail = " outside its straight-line task (use the *async.T your task's function received, only while it runs)"
	require.Equal(t, []string{
		"async: Channel.AwaitSend" + tail,
		"async: Channel.AwaitReceive" + tail,
		"async: Signal.Await" + tail,
		"async: Mutex.AwaitLock" + tail,
		"async: Notify.AwaitNotified" + tail,
	}, msgs)
	require.Equal(t, 0, c.Len(), "nothing sent")
	require.False(t, m.Locked())

	require.True(t, c.TrySend(7))
	e.Poll()
	require.Equal(t, 7, got, "the owner's waiter kept its place")
	require.Equal(t, 0, e.Len())
	assert.PanicsWithValue(t, "async: Channel.AwaitReceive"+tail, func() { c.AwaitReceive(ownerT) }, "after it returned")
}

// A copy of a T whose await is queued, used for an await, is detected as a copied future
// is: the original leaves the queue and its task is woken to queue again, and the copy's
// await panics, naming the T.
func TestCopiedTPanicsAndTheOriginalQueuesAgain(t *testing.T) {
	e := newExec(t, Config{Tasks: 2})
	c := NewChannel[int](1)
	var ownerT *T
	got := -1
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		ownerT = t
		got = c.AwaitReceive(t)
	}))
	require.NoError(t, err)
	var msg string
	_, err = e.Spawner().Spawn(Go(func(t *T) {
		var x T
		rawCopy(&x, ownerT) // while the owner's waiter is queued
		x.cx = t.cx         // as if copied while running
		msg = panicOf(func() { c.AwaitReceive(&x) })
	}))
	require.NoError(t, err)
	e.Poll()
	require.Equal(t, misuseOf(kindAwait, howCopied).Error(), msg)
	require.Contains(t, msg, "async: an async.T copied while its task waited in a typed await")
	require.Equal(t, 1, e.Len())

	require.True(t, c.TrySend(3))
	e.Poll()
	require.Equal(t, 3, got, "the original queued again and was served")
	require.Equal(t, 0, e.Len())
}

// A T whose waiter is overwritten while queued: the queue is repaired around it by the next
// operation, and the await panics at its next poll, naming the T; the value the repair
// found no receiver for stays in the channel.
func TestOverwrittenTPanicsAtItsNextPoll(t *testing.T) {
	var panics []TaskPanic
	e := newExec(t, Config{Tasks: 1, OnPanic: func(p TaskPanic) { panics = append(panics, p) }})
	c := NewChannel[int](1)
	var ownerT *T
	var w Waker
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		ownerT, w = t, t.Context().Waker()
		c.AwaitReceive(t)
	}))
	require.NoError(t, err)
	e.Poll()
	ownerT.op = waitOp{}
	require.True(t, c.TrySend(4), "the grant finds the waiter overwritten and repairs the queue")
	w.Wake()
	e.Poll()
	require.Len(t, panics, 1)
	require.Equal(t, misuseOf(kindAwait, howOverwritten), panics[0].Value)
	v, ok := c.TryReceive()
	require.True(t, ok)
	require.Equal(t, 4, v)
}

// Sleep's timer, like the typed awaits' waiter, is cancelled when the function ends with it
// queued (here armed as Sleep arms it, then the function panics): it leaves the timer queue,
// rather than wake a task slot that may belong to another task by then.
func TestStraightLineTaskCancelsSleepsTimerWhenItEnds(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	var panics []TaskPanic
	e := newExec(t, Config{Tasks: 1, OnPanic: func(p TaskPanic) { panics = append(panics, p) }})
	_, err := e.Spawner().Spawn(Go(func(t *T) {
		t.armSleep(clock.now + 100)
		if _, ok := t.timer.Poll(t.cx); ok {
			panic("not due yet")
		}
		panic("boom")
	}))
	require.NoError(t, err)
	e.Poll()
	require.Len(t, panics, 1)
	require.Equal(t, "boom", panics[0].Value)
	require.Equal(t, 0, queues[0].n, "the timer left the queue")
}
