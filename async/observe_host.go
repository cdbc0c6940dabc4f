//go:build !tinygo

package async

import "sync/atomic"

// PollObserver is told of every task poll, on the host only: the simulator's runner
// (sim/simrun) uses it for the task spans of its trace and the per-task figures of its
// result. Firmware builds have no observer and no call (observe_tinygo.go).
type PollObserver interface {
	// PollStart is called just before the executor named exec polls its task in slot
	// (named task, "" for Spawn), on the goroutine (simulated core) that polls it.
	PollStart(exec, task string, slot int)
	// PollEnd is called just after, with whether the task finished.
	PollEnd(exec, task string, slot int, done bool)
}

type observerBox struct{ o PollObserver }

var pollObserver atomic.Pointer[observerBox]

// SetPollObserver installs o (nil removes it) for every executor of the process, and
// returns the observer it replaces. Host only.
func SetPollObserver(o PollObserver) PollObserver {
	var old *observerBox
	if o == nil {
		old = pollObserver.Swap(nil)
	} else {
		old = pollObserver.Swap(&observerBox{o})
	}
	if old == nil {
		return nil
	}
	return old.o
}

// observer returns the installed observer, or nil: pollSlot loads it once per poll and
// calls its start and end only when there is one.
func observer() *observerBox { return pollObserver.Load() }

func (b *observerBox) start(e *Executor, idx int) {
	b.o.PollStart(e.name, e.slots[idx].stats.Name, idx)
}

func (b *observerBox) end(e *Executor, idx int, done bool) {
	b.o.PollEnd(e.name, e.slots[idx].stats.Name, idx, done)
}
