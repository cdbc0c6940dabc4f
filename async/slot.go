package async

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// slot is one entry of the task table: the header the executor keeps per task, and its
// statistics. sched packs the task's ready word and its bit in it (both fixed by the slot's
// index and the task's priority), and whether the slot is live; wakers read it without a
// lock. 32 bytes on a 32-bit target.
//
// # Life cycle
//
// A slot goes through these states; the functions named move it from one to the next.
//
//   - free: sched is 0, task and poll zero; the slot's index is set in Executor.free.
//     Spawner.spawn (under Executor.mu; SpawnNamed and Spawn call it) takes the lowest free
//     index, stores the task, its poll function and live|word<<8|bit (the index's bit in one of its priority's ready words), and wakes it.
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
//     sched, task and poll and gives back the index and the ready bit: the slot is free. Wakes of its
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
	// task is the task: the two words of the Task interface Spawner.SpawnNamed was given, or
	// what pointerTask made of a task from Spawn.
	task  [2]unsafe.Pointer
	poll  pollFn        // calls the task's Poll: pollInterface, or pointerTask's
	sched atomic.Uint32 // live | word<<8 | bit
	stats TaskStats
}

// pollInterface polls a task spawned as a Task interface value.
func pollInterface(sl *slot, cx *Context) bool { return sl.taskInterface().Poll(cx) }

// taskInterface returns the Task interface a slot holds: the one Spawner.SpawnNamed was
// given; for a task from Spawn, nil on the chip and a wrapper on the host.
func (sl *slot) taskInterface() Task {
	if sl.task[0] == nil {
		return nil
	}
	return *(*Task)(unsafe.Pointer(&sl.task))
}

const live = 1 << 16

// SpawnNamed adds task to the executor's table under name and queues it for its first poll.
// It never allocates; a full table is ErrTableFull. It returns the task's waker.
func (s Spawner) SpawnNamed(name string, task Task, prio int) (Waker, error) {
	if task == nil {
		return 0, ErrNilTask
	}
	return s.spawn(name, *(*[2]unsafe.Pointer)(unsafe.Pointer(&task)), makePollFn(pollInterface), prio)
}

// SpawnOptions are a task's name and priority for SpawnWith.
type SpawnOptions struct {
	// Name is the task's name in statistics and panic reports; "" is "task". (Spawn does
	// not look for a TaskName method: that look-up is an interface conversion.)
	Name string
	// Priority is the task priority, 0 (the default) to TaskPriorities-1.
	Priority int
}

// TaskPointer is the type parameter of Spawn: a pointer to a stackless task type.
type TaskPointer[T any] interface {
	*T
	Task
}

// Spawn adds t, a pointer to a stackless task, to s's executor at priority 0 and queues it
// for its first poll, as s.Spawn(t) does, without putting t in an interface: the executor
// keeps the pointer and calls T's Poll directly. Under TinyGo that matters, because a value
// in an interface brings in type information for every type reachable from it, which for a
// task holding futures is their whole state: 2.7 KB of flash in examples/echo. A nil t is
// ErrNilTask; a full table ErrTableFull. It never allocates.
func Spawn[T any, P TaskPointer[T]](s Spawner, t P) (Waker, error) {
	return SpawnWith(s, t, SpawnOptions{})
}

// SpawnWith is Spawn under opts' name and at its priority.
func SpawnWith[T any, P TaskPointer[T]](s Spawner, t P, opts SpawnOptions) (Waker, error) {
	if t == nil {
		return 0, ErrNilTask
	}
	name := opts.Name
	if name == "" {
		name = "task"
	}
	task, poll := pointerTask(t)
	return s.spawn(name, task, poll, opts.Priority)
}

// spawn stores a task and its poll function in the lowest free slot and queues it.
func (s Spawner) spawn(name string, task [2]unsafe.Pointer, poll pollFn, prio int) (Waker, error) {
	e := (*Executor)(s.e)
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
	sl.task, sl.poll = task, poll
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
	// One Context per executor, reused: a fresh one would escape through the indirect call
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
		done = callPoll(sl.poll, sl, &e.cx)
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
	done := callPoll(sl.poll, sl, &e.cx)
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
	var none pollFn
	sl.task, sl.poll = [2]unsafe.Pointer{}, none
	e.free[idx/32] |= 1 << (idx % 32)
	e.count--
	e.mu.unlock(cs)
}
