package async

//gohalvet:ignore-file armed these tests overwrite armed futures on purpose, to test the run-time detection

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for issue 13, defect 3, on the timer queue (see misuse_test.go).

// timerTask waits for its timer and records when it fired. misuse, if set, runs at the
// start of its next poll (once): what the firmware under test does wrong.
type timerTask struct {
	tm     Timer
	clock  *fakeClock
	fired  Instant
	done   bool
	misuse func(*timerTask)
}

func (k *timerTask) Poll(cx *Context) bool {
	if f := k.misuse; f != nil {
		k.misuse = nil
		f(k)
	}
	if _, ok := k.tm.Poll(cx); !ok {
		return false
	}
	k.fired, k.done = k.clock.now, true
	return true
}

// timerScene is an executor whose task panics are recorded, on a fake clock that polls it
// after each alarm.
type timerScene struct {
	clock  *fakeClock
	e      *Executor
	panics []TaskPanic
}

func newTimerScene(t *testing.T) *timerScene {
	s := &timerScene{clock: useClock(t)}
	t.Cleanup(ResetTimersForTest)
	s.e = newExec(t, Config{Name: "misuse", Tasks: 8, OnPanic: func(p TaskPanic) { s.panics = append(s.panics, p) }})
	s.clock.afterAlarm = s.e.Poll
	return s
}

func (s *timerScene) spawn(t *testing.T, k *timerTask) Waker {
	k.clock = s.clock
	w, err := s.e.Spawner().SpawnNamed(fmt.Sprintf("timer@%d", k.tm.Deadline()), k, 0)
	require.NoError(t, err)
	return w
}

// panicMsg returns the one recorded task panic's value.
func (s *timerScene) panicMsg(t *testing.T) string {
	t.Helper()
	require.Len(t, s.panics, 1, "one task panicked")
	return describe(s.panics[0].Value)
}

// Two tasks with timers; one overwrites its queued timer with a new After. Before the fix
// the other task's timer was lost with it (it was a child of the overwritten root in the
// heap) and never fired.
func TestOverwrittenQueuedTimerPanicsAndTheOtherTimerFires(t *testing.T) {
	s := newTimerScene(t)
	other := &timerTask{tm: At(200)}
	bad := &timerTask{tm: At(100)}
	s.spawn(t, other)
	wBad := s.spawn(t, bad)
	s.e.Poll()
	require.Equal(t, 2, queues[0].n, "both timers queued")

	bad.misuse = func(k *timerTask) { k.tm = After(300) } // over the queued timer
	wBad.Wake()
	s.e.Poll()
	s.clock.advance(1000)
	require.True(t, other.done, "the other task's timer still fires")
	require.Equal(t, Instant(200), other.fired, "at its deadline")
	require.Equal(t, 0, queues[0].n)

	msg := s.panicMsg(t)
	assert.Contains(t, msg, "async: Timer overwritten while armed")
	assert.Contains(t, msg, "Cancel it first, or reuse it with Reset")
	assert.Equal(t, "timer@100", s.panics[0].Task, "the misusing task is the one that panics, at once")
}

// The overwritten timer sits in the middle of the queue, so nothing the owner's poll can
// check in O(1) shows it: it is queued again, the next queue operation that meets its old
// links (the expiry of the earliest timer) repairs the queue, and the owner's next poll
// panics. Every other timer fires at its deadline.
func TestOverwrittenTimerInTheMiddleIsRepairedAtTheNextQueueOperation(t *testing.T) {
	s := newTimerScene(t)
	var ks []*timerTask
	var bad *timerTask
	var wBad Waker
	for i, at := range []Instant{100, 200, 300, 400, 500} {
		k := &timerTask{tm: At(at)}
		w := s.spawn(t, k)
		if i == 2 {
			bad, wBad = k, w
		} else {
			ks = append(ks, k)
		}
	}
	s.e.Poll()
	require.Equal(t, 5, queues[0].n)

	bad.misuse = func(k *timerTask) { k.tm = At(450) }
	wBad.Wake()
	s.e.Poll()
	require.Empty(t, s.panics, "not detectable yet: the timer is queued again")

	s.clock.advance(1000)
	for _, k := range ks {
		require.True(t, k.done, "timer %d fired", k.tm.Deadline())
		require.Equal(t, k.tm.Deadline(), k.fired, "at its deadline")
	}
	require.Equal(t, 0, queues[0].n)
	msg := s.panicMsg(t)
	assert.Contains(t, msg, "async: Timer overwritten while armed")
	assert.Equal(t, "timer@300", s.panics[0].Task, "the misusing task panics, at its next poll")
	assert.False(t, bad.done)
}

// The same through a Ticker: tk = NewTicker(p) over an armed ticker.
func TestOverwrittenArmedTickerPanics(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	cx := NewContext(0)
	po := newSyncProbe(t)
	other := At(150)
	_, ok := other.Poll(po.cx())
	require.False(t, ok)
	tk := NewTicker(100)
	_, ok = tk.Poll(cx)
	require.False(t, ok)
	tk = NewTicker(70)
	misuse1 := panicOf(func() { tk.Poll(cx) })
	clock.advance(150)
	require.True(t, po.woken(), "the other timer's owner is woken at its deadline")
	_, ok = other.Poll(po.cx())
	require.True(t, ok, "the other timer completes")
	require.Equal(t, 0, queues[0].n)

	// Reset is the way to restart it.
	tk.Reset(50)
	for i := 1; i <= 3; i++ {
		_, ok = tk.Poll(cx)
		require.False(t, ok)
		clock.advance(150 + Instant(50*i))
		at, ok := tk.Poll(cx)
		require.True(t, ok)
		require.Equal(t, Instant(150+50*i), at)
	}
	tk.Cancel()
	requireMisuse(t, misuse1, "Ticker", "overwritten", "Reset(period)")
}

// A copy of a queued timer, polled: it panics at once, and the original leaves the queue
// (its owner is woken to poll it again), so nothing is left linked that nobody owns.
func TestCopiedQueuedTimerPanics(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	p, po := newSyncProbe(t), newSyncProbe(t)
	cx := NewContext(0)
	other := At(300)
	_, ok := other.Poll(po.cx())
	require.False(t, ok)
	orig := At(200)
	_, ok = orig.Poll(p.cx())
	require.False(t, ok)
	var cp Timer
	rawCopy(&cp, &orig)
	misuse2 := panicOf(func() { cp.Poll(cx) })
	require.True(t, p.woken(), "the original's owner is woken")
	require.Equal(t, 1, queues[0].n, "the original left the queue")
	_, ok = orig.Poll(p.cx())
	require.False(t, ok, "and is queued again by its next poll")
	clock.advance(300)
	require.True(t, p.woken())
	require.True(t, po.woken(), "the other timer's owner is woken at its deadline")
	_, ok = orig.Poll(p.cx())
	require.True(t, ok)
	_, ok = other.Poll(po.cx())
	require.True(t, ok)
	requireMisuse(t, misuse2, "Timer", "copied", "Reset")
}

// A queued timer's memory zeroed (var tm Timer over it) is an overwrite too, seen when the
// queue next meets it; with two overwritten far apart between two queue operations the
// queue cannot account for the timers between them, and says so rather than losing them
// silently.
func TestTwoTimersOverwrittenApartPanicAtTheQueue(t *testing.T) {
	clock := useClock(t)
	t.Cleanup(ResetTimersForTest)
	cx := NewContext(0)
	tms := make([]Timer, 5)
	for i := range tms {
		tms[i].Reset(Instant(100 * (i + 1)))
		_, ok := tms[i].Poll(cx)
		require.False(t, ok)
	}
	tms[1] = Timer{}
	tms[3] = Timer{}
	msg := panicOf(func() { clock.advance(1000) })
	require.Contains(t, msg, "async: Timers overwritten or copied while armed, several at once: waiters were lost")
}
