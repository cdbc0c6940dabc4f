package async

import (
	"math/bits"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// slot is one entry of the task table: the header the executor keeps per task, and its
// statistics. sched packs the task's ready word and its bit in it (both fixed by the slot's
// index and the task's priority), and whether the slot is live; wakers read it without a
// lock. 28 bytes on a 32-bit target.
//
// # Life cycle
//
// A slot goes through these states; the functions named move it from one to the next.
//
//   - free: sched is 0 and task nil; the slot's index is set in Executor.free.
//     Spawner.SpawnNamed (under Executor.mu) takes the lowest free index, stores the task and
//     live|word<<8|bit (the index's bit in one of its priority's ready words), and wakes it.
//   - queued: its bit is set in its ready word, and the word's bit in Executor.summary.
//     Executor.wake (what Waker.Wake calls, from any context) sets them, pending the executor
//     (Executor.pend) when its queue was empty; waking a queued slot does nothing.
//   - polling: Executor.pollReady has taken the slot's bit (a swap of its whole ready word)
//     and pollSlot calls the task's Poll, with Executor.current set to the slot. A wake during
//     the poll sets the bit again, so the slot is queued once more when the poll returns: no
//     wake is lost. pollSlot skips a slot that is no longer live.
//   - waiting: Poll returned false. The slot stays live with no ready bit until the wake the
//     task arranged queues it again.
//   - finished: Poll returned true. pollSlot calls release, which (under Executor.mu) clears
//     sched and task and gives back the index and the ready bit: the slot is free. Wakes of its
//     old Waker then find it not live and do nothing; once the slot is spawned again they cost
//     the new task at most a spurious poll.
//   - panicked: Poll panicked. recoverTask (panic.go) gives back the tasks the poll loop had
//     taken but not yet polled (giveBack), and reportPanic releases the slot, then reports the
//     panic to Config.OnPanic. A runtime.Goexit during Poll (recoverTask again) releases the
//     slot without a report.
//
// In a picture:
//
//	      SpawnNamed            pollReady, pollSlot
//	free ────────────▶ queued ─────────────────────▶ polling ─── Poll false ──▶ waiting
//	 ▲                   ▲                           │     │                       │
//	 │                   │                   Poll true     panic                   │
//	 │                   │                           ▼     ▼                       │
//	 │                   │                    finished     panicked                │
//	 │                   │                           │     │ recoverTask,          │
//	 │                   │                           │     │ reportPanic           │
//	 └──── release ◀─────┼───────────────────────────┴─────┘                       │
//	                     └─────────────────────── wake ────────────────────────────┘
type slot struct {
	task  Task
	sched atomic.Uint32 // live | word<<8 | bit
	stats TaskStats
}

const live = 1 << 16

// SpawnNamed adds task to the executor's table under name and queues it for its first poll.
// It never allocates; a full table is ErrTableFull. It returns the task's waker.
func (s Spawner) SpawnNamed(name string, task Task, prio int) (Waker, error) {
	e := (*Executor)(s.e)
	if task == nil {
		return 0, ErrNilTask
	}
	if prio < 0 || prio >= TaskPriorities {
		return 0, ErrBadPriority
	}
	cs := e.mu.lock()
	idx := -1
	for w := range e.free {
		if e.free[w] != 0 {
			idx = w*32 + bits.TrailingZeros32(e.free[w])
			break
		}
	}
	if idx < 0 || idx >= len(e.slots) {
		e.mu.unlock(cs)
		return 0, ErrTableFull
	}
	// The slot's ready bit: bit idx%32 of the priority's word idx/32 (Executor.ready).
	w, b := prio*e.wordsPer+idx/32, idx%32
	e.free[idx/32] &^= 1 << (idx % 32)
	e.count++
	sl := &e.slots[idx]
	sl.task = task
	sl.stats = TaskStats{Name: name}
	storeWord(&sl.sched, live|uint32(w)<<8|uint32(b))
	e.mu.unlock(cs)
	e.wake(uint8(idx))
	return makeWaker(e.id, uint8(idx)), nil
}

// Len returns the number of tasks in the table.
func (e *Executor) Len() int {
	cs := e.mu.lock()
	n := e.count
	e.mu.unlock(cs)
	return n
}

// pollSlot polls the task in slot idx once.
func (e *Executor) pollSlot(idx int) {
	sl := &e.slots[idx]
	if loadWord(&sl.sched)&live == 0 {
		return
	}
	// One Context per executor, reused: a fresh one would escape through the interface call
	// and cost an allocation per poll. Polls of one executor never overlap.
	e.cx.waker = makeWaker(e.id, uint8(idx))
	e.current = idx
	st := &sl.stats
	var done bool
	obs := observer()
	if obs != nil {
		obs.start(e, idx)
	}
	if e.timing {
		done = e.pollTimed(sl, st)
	} else {
		done = sl.task.Poll(&e.cx)
	}
	if obs != nil {
		obs.end(e, idx, done)
	}
	e.current = -1
	st.Polls++
	if done {
		e.release(idx)
	}
}

// pollTimed is the poll of an executor made with Config.PollTimes.
func (e *Executor) pollTimed(sl *slot, st *TaskStats) bool {
	t0 := rt.Cycles()
	done := sl.task.Poll(&e.cx)
	if dt := rt.Cycles() - t0; dt > st.LongestPoll {
		st.LongestPoll = dt
	}
	return done
}

// release frees slot idx.
func (e *Executor) release(idx int) {
	sl := &e.slots[idx]
	cs := e.mu.lock()
	storeWord(&sl.sched, 0)
	sl.task = nil
	e.free[idx/32] |= 1 << (idx % 32)
	e.count--
	e.mu.unlock(cs)
}
