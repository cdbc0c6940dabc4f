package a

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/uart"
)

type task struct {
	tm      async.Timer
	dl      async.Timeout[async.Instant]
	waiting bool
}

// --- misuse ---

func overwrite(cx *async.Context) {
	tm := async.After(10)
	tm.Poll(cx)
	tm = async.After(20) // want `future tm is assigned over while it may still be armed \(polled at line 18`
	_ = tm
}

func (t *task) fieldOverwrite(cx *async.Context) bool {
	t.tm.Poll(cx)
	t.tm = async.After(5) // want `future t.tm is assigned over while it may still be armed`
	return false
}

func (t *task) pollIgnoringResult(cx *async.Context) bool {
	_, ok := t.tm.Poll(cx)
	_ = ok
	t.tm = async.After(5) // want `future t.tm is assigned over`
	return false
}

func (t *task) throughCombinator(cx *async.Context) bool {
	t.dl.Init(&t.tm, 100)
	t.tm = async.After(5) // want `future t.tm is assigned over`
	return false
}

func byValue(tm async.Timer) {}

func readByValue(f uart.ReadFuture) {}

func passesByValue(cx *async.Context, u *uart.Async) {
	rd := u.ReadAsync(nil)
	rd.Poll(cx)
	readByValue(rd) // want `future rd passed by value`
}

// --- correct ---

func (t *task) completionChecked(cx *async.Context) bool {
	for {
		if t.waiting {
			if _, ok := t.tm.Poll(cx); !ok {
				return false
			}
			t.waiting = false
		}
		t.tm = async.After(5)
		t.waiting = true
	}
}

func (t *task) completionCheckedSeparately(cx *async.Context) bool {
	_, ok := t.tm.Poll(cx)
	if !ok {
		return false
	}
	t.tm = async.After(5)
	return false
}

func cancelled(cx *async.Context) {
	tm := async.After(10)
	tm.Poll(cx)
	tm.Cancel()
	tm = async.After(20)
	_ = tm
}

func reset(cx *async.Context) {
	tm := async.After(10)
	tm.Poll(cx)
	tm.Reset(30)
	tm.Poll(cx)
}

func awaited(t *async.T) {
	tm := async.After(10)
	async.Await[async.Instant](t, &tm)
	tm = async.After(20)
	async.Await[async.Instant](t, &tm)
}

func (t *task) combinatorCompleted(cx *async.Context) bool {
	t.dl.Init(&t.tm, 100)
	if _, ok := t.dl.Poll(cx); !ok {
		return false
	}
	t.tm = async.After(5)
	return false
}

func neverPolled() {
	tm := async.After(1)
	tm = async.After(2)
	byValue(async.After(3))
	_ = tm
}
