package async

import "errors"

// ErrTimeout is the error of a WithTimeout or WithDeadline future whose time ran out.
var ErrTimeout = errors.New("async: timed out")

// Outcome is the result of a future that can fail: Value when Err is nil.
type Outcome[T any] struct {
	Value T
	Err   error
}

// Timeout races a future against a deadline: it completes with the future's value, or with
// ErrTimeout when the deadline passes first (see WithTimeout, WithDeadline). (Named for what it
// is, a future with a timeout; its deadline is an Instant you give it.)
type Timeout[T any] struct {
	f     Future[T]
	timer Timer
}

// WithDeadline returns a future that completes with f's value, or with ErrTimeout at
// deadline, cancelling f.
func WithDeadline[T any](f Future[T], deadline Instant) *Timeout[T] {
	return &Timeout[T]{f: f, timer: At(deadline)}
}

// WithTimeout returns a future that completes with f's value, or with ErrTimeout after d,
// cancelling f.
func WithTimeout[T any](f Future[T], d Duration) *Timeout[T] { return WithDeadline(f, Now().Add(d)) }

// Init sets up an embedded Timeout (no allocation): d.Init(f, deadline). It first cancels
// the future d held, if any (a no-op for one that completed or was cancelled), as the
// primitives' futures' Init do, so that abandoning a race midway leaves nothing armed; Reset
// disarms the timer.
func (d *Timeout[T]) Init(f Future[T], deadline Instant) {
	if d.f != nil {
		d.f.Cancel()
	}
	d.f = f
	d.timer.Reset(deadline)
}

// Poll completes with f's value or ErrTimeout, whichever comes first.
func (d *Timeout[T]) Poll(cx *Context) (Outcome[T], bool) {
	if v, ok := d.f.Poll(cx); ok {
		d.timer.Cancel()
		return Outcome[T]{Value: v}, true
	}
	if _, ok := d.timer.Poll(cx); ok {
		d.f.Cancel()
		return Outcome[T]{Err: ErrTimeout}, true
	}
	return Outcome[T]{}, false
}

// Cancel cancels both f and the timer.
func (d *Timeout[T]) Cancel() {
	d.f.Cancel()
	d.timer.Cancel()
}
