package async

// Timer is a future that completes at a deadline. The zero Timer has deadline 0 and
// completes at once. Keep a Timer at one address while it is armed (a field of a task, a
// local of a straight-line task); Cancel it when its result is no longer wanted.
//
// An armed Timer is linked into its core's timer queue: do not copy it (go vet reports
// copies) and do not assign over it (tm = async.After(d)) while it is queued; use Reset or
// ResetAfter, which disarm it first. A Timer found copied or overwritten while queued panics,
// and the queue is repaired so that the other timers still fire.
type Timer struct {
	node timerNode
}

// At returns a timer that completes at deadline.
func At(deadline Instant) Timer { return Timer{node: timerNode{at: deadline}} }

// After returns a timer that completes d from now.
func After(d Duration) Timer { return At(Now().Add(d)) }

// Reset disarms t and gives it a new deadline: t.Reset(deadline) in place of
// t = async.At(deadline).
func (t *Timer) Reset(deadline Instant) {
	t.node.disarm(kindTimer)
	t.node.at = deadline
}

// ResetAfter disarms t and gives it the deadline d from now: t.ResetAfter(d) in place of
// t = async.After(d).
func (t *Timer) ResetAfter(d Duration) { t.Reset(Now().Add(d)) }

// Deadline returns the timer's deadline.
func (t *Timer) Deadline() Instant { return t.node.at }

// Poll completes once the deadline has passed, returning the deadline.
func (t *Timer) Poll(cx *Context) (Instant, bool) {
	if t.node.poll(timeDriver(), cx.Waker(), kindTimer) {
		return t.node.at, true
	}
	return 0, false
}

// Cancel disarms the timer.
func (t *Timer) Cancel() { t.node.disarm(kindTimer) }

// Ticker completes once per period, at start+period, start+2·period, ... measured from the
// previous deadline, not from when it was polled, so it never drifts. If the task falls
// behind, the missed ticks complete at once, one per poll.
//
// Like a Timer, an armed Ticker is linked into the timer queue: do not copy it or assign
// over it (tk = async.NewTicker(p)) while it is armed; Reset it instead.
type Ticker struct {
	period Duration
	timer  Timer
}

// NewTicker returns a ticker whose first tick is one period from now.
func NewTicker(period Duration) Ticker {
	if period <= 0 {
		period = 1
	}
	return Ticker{period: period, timer: After(period)}
}

// Reset disarms the ticker and starts it again with period, its first tick one period from
// now: t.Reset(period) in place of t = async.NewTicker(period), and the way to set up a
// zero Ticker in place.
func (t *Ticker) Reset(period Duration) {
	if period <= 0 {
		period = 1
	}
	t.timer.node.disarm(kindTicker)
	t.period = period
	t.timer.node.at = Now().Add(period)
}

// Poll completes at the next tick, returning its deadline, and moves on to the following one.
func (t *Ticker) Poll(cx *Context) (Instant, bool) {
	if t.timer.node.poll(timeDriver(), cx.Waker(), kindTicker) {
		at := t.timer.node.at
		t.timer.node.at = at.Add(t.period)
		return at, true
	}
	return 0, false
}

// Cancel disarms the ticker; polling it again re-arms it for its next deadline.
func (t *Ticker) Cancel() { t.timer.node.disarm(kindTicker) }

// Period returns the ticker's period.
func (t *Ticker) Period() Duration { return t.period }
