package async

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reuse methods: a task keeps its futures in its fields and re-arms them in place, so a
// loop needs neither assignment nor allocation.
func TestReuseInPlaceDoesNotAllocate(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	p := newSyncProbe(t)
	cx := p.cx()

	var tm Timer
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		tm.ResetAfter(10) // armed from the previous run: Reset disarms it first
		tm.Poll(cx)
	}), "Timer.ResetAfter over an armed timer")
	tm.Cancel()

	var tk Ticker
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		tk.Reset(10)
		tk.Poll(cx)
	}), "Ticker.Reset over an armed ticker")
	tk.Cancel()
	require.Equal(t, 0, queues[0].n)

	c := NewChannel[int](1)
	var sf SendFuture[int]
	var rf ReceiveFuture[int]
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		sf.Init(c, 1)
		sf.Poll(cx) // sends
		sf.Init(c, 2)
		sf.Poll(cx) // waits: full
		rf.Init(c)
		rf.Poll(cx) // takes 1, grants sf
		sf.Poll(cx) // sends 2
		sf.Reset(3)
		sf.Poll(cx) // waits
		rf.Init(c)
		rf.Poll(cx)
		sf.Cancel()
		p.woken()
	}), "SendFuture.Init/Reset and ReceiveFuture.Init")
	require.Equal(t, 0, c.Len())

	var s Signal[int]
	var sg SignalFuture[int]
	var m Mutex
	var lf LockFuture
	var nt Notify
	var nf NotifiedFuture
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		sg.Init(&s)
		sg.Poll(cx) // waits
		sg.Init(&s) // cancels and starts over
		s.Signal(1)
		sg.Poll(cx)

		require.True(t, m.TryLock())
		lf.Init(&m)
		lf.Poll(cx) // waits
		lf.Init(&m) // cancels
		m.Unlock()
		lf.Poll(cx)
		m.Unlock()

		nf.Init(&nt)
		nf.Poll(cx)
		nf.Init(&nt)
		nt.NotifyOne()
		nf.Poll(cx)
		p.woken()
	}), "SignalFuture, LockFuture and NotifiedFuture Init")

	// Select2 kept in a field and Init'ed per race, its futures in fields too.
	var sel Select2[Instant, int]
	var rx ReceiveFuture[int]
	rx.Init(c)
	var timeout Timer
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		timeout.Reset(clock.now + 5)
		sel.Init(&timeout, &rx)
		sel.Poll(cx) // both wait
		c.TrySend(4)
		r, ok := sel.Poll(cx)
		if !ok || r.Which != 1 || r.B != 4 {
			panic("select: the receive wins")
		}
	}), "Select2.Init")
	require.Equal(t, 0, queues[0].n, "the losing timer was cancelled")
}

// Select2.Init cancels what its previous race left armed; Join2 and SelectAnyF too.
func TestCombinatorInitCancelsThePreviousRace(t *testing.T) {
	a, b := &cancelCounter{}, &cancelCounter{}
	var sel Select2[int, int]
	sel.Init(a, b)
	_, ok := sel.Poll(NewContext(0))
	require.False(t, ok)
	c, d := &cancelCounter{readyAt: 1}, &cancelCounter{}
	sel.Init(c, d)
	require.Equal(t, 1, a.cancels)
	require.Equal(t, 1, b.cancels)
	r, ok := sel.Poll(NewContext(0))
	require.True(t, ok)
	require.Equal(t, 0, r.Which)

	var j Join2[int, int]
	j.Init(&cancelCounter{readyAt: 1}, &cancelCounter{readyAt: 1})
	_, ok = j.Poll(NewContext(0))
	require.True(t, ok)
	x := &cancelCounter{}
	j.Init(x, &cancelCounter{readyAt: 1})
	_, ok = j.Poll(NewContext(0))
	require.False(t, ok)
	j.Init(&cancelCounter{readyAt: 1}, &cancelCounter{readyAt: 1})
	require.Equal(t, 1, x.cancels, "the unfinished one was cancelled")
	p, ok := j.Poll(NewContext(0))
	require.True(t, ok)
	require.Equal(t, Pair[int, int]{42, 42}, p)

	var sa SelectAnyF[int]
	y := &cancelCounter{}
	sa.Init([]Future[int]{y})
	sa.Init([]Future[int]{&cancelCounter{readyAt: 1}})
	require.Equal(t, 1, y.cancels)
	sr, ok := sa.Poll(NewContext(0))
	require.True(t, ok)
	require.Equal(t, 0, sr.Index)

	var ja JoinAllF[int]
	ja.Init([]Future[int]{&cancelCounter{readyAt: 1}, &cancelCounter{readyAt: 2}})
	_, ok = ja.Poll(NewContext(0))
	require.False(t, ok)
	vs, ok := ja.Poll(NewContext(0))
	require.True(t, ok)
	require.Equal(t, []int{42, 42}, vs)
}

// Regression (issue 13): Timeout.Init used to drop the future it held without cancelling
// it, unlike the primitives' Init and Select2.Init: a ReceiveFuture abandoned midway stayed
// queued, took the next value and left the Timeout's new future waiting for ever.
func TestTimeoutInitCancelsTheFutureItHeld(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	p := newSyncProbe(t)
	cx := p.cx()

	var zero Timeout[int]
	x := &cancelCounter{}
	zero.Init(x, clock.now+10) // holds nothing yet: nothing to cancel
	require.Zero(t, x.cancels)
	y := &cancelCounter{}
	zero.Init(y, clock.now+10)
	require.Equal(t, 1, x.cancels, "the future it held")
	zero.Cancel()

	c := NewChannel[int](1)
	var first, second ReceiveFuture[int]
	first.Init(c)
	second.Init(c)
	var d Timeout[int]
	d.Init(&first, clock.now+100)
	_, ok := d.Poll(cx)
	require.False(t, ok, "first waits in the channel's queue")
	d.Init(&second, clock.now+100) // abandons the race: first is cancelled
	_, ok = d.Poll(cx)
	require.False(t, ok)
	require.True(t, c.TrySend(7))
	require.True(t, p.woken(), "the value is granted to second, the receiver still wanted")
	out, ok := d.Poll(cx)
	require.True(t, ok)
	require.NoError(t, out.Err)
	require.Equal(t, 7, out.Value)
	require.Equal(t, 0, queues[0].n, "the timer was disarmed")
}

// Every future that links itself into a queue carries a noCopy marker (through its node), so
// that go vet's copylocks check reports copies of it.
func TestQueuedFuturesCarryNoCopy(t *testing.T) {
	marker := reflect.TypeOf(noCopy{})
	var has func(reflect.Type) bool
	has = func(typ reflect.Type) bool {
		if typ == marker {
			return true
		}
		if typ.Kind() != reflect.Struct {
			return false
		}
		for i := 0; i < typ.NumField(); i++ {
			if has(typ.Field(i).Type) {
				return true
			}
		}
		return false
	}
	for _, v := range []any{
		(*Timer)(nil), (*Ticker)(nil), (*Timeout[int])(nil), (*T)(nil),
		(*SendFuture[int])(nil), (*ReceiveFuture[int])(nil), (*SignalFuture[int])(nil),
		(*LockFuture)(nil), (*NotifiedFuture)(nil), (*waiter)(nil), (*timerNode)(nil),
	} {
		typ := reflect.TypeOf(v).Elem()
		assert.True(t, has(typ), "%s has a noCopy marker", typ)
	}
	require.Zero(t, marker.Size(), "the marker costs no memory")
	// Nor padding: a zero-size last field would be padded, a first one is not.
	require.Equal(t, marker, reflect.TypeOf(waiter{}).Field(0).Type)
	require.Equal(t, marker, reflect.TypeOf(timerNode{}).Field(0).Type)
}
