package async

import (
	"errors"
	"math/bits"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// TaskPriorities is the number of task priorities within one executor: 0 (the default, polled
// last) to TaskPriorities-1 (polled first). They order polling inside an executor and never
// preempt; for preemption, use interrupt executors at different interrupt priorities.
const TaskPriorities = 4

// MaxTasks is the largest task table of one executor. Any number of its tasks may share a
// priority.
const MaxTasks = 255

// Errors returned by Spawn and New.
var (
	ErrTableFull   = errors.New("async: task table full")
	ErrBadPriority = errors.New("async: task priority out of range")
	ErrTooMany     = errors.New("async: too many executors")
	ErrBadConfig   = errors.New("async: bad executor configuration")
	ErrNilTask     = errors.New("async: nil task")
)

// SoftwareInterrupt is what an executor needs of a chip's software interrupts (on the
// ESP32-C3, FROM_CPU_INTR0–3; hal provides them): raise it from anywhere, clear it in its
// handler, and bind a handler at a priority on the current core.
type SoftwareInterrupt interface {
	Raise()
	Clear()
	Bind(handler func(), p rt.Priority)
}

// Config configures an executor.
type Config struct {
	// Name appears in statistics and panic reports.
	Name string
	// Tasks is the size of the task table (1..MaxTasks), allocated once by New.
	Tasks int
	// Interrupt makes this an interrupt-mode executor: it polls its tasks in this software
	// interrupt's handler, bound on the core that calls New, at Priority (1..rt.MaxPriority).
	Interrupt SoftwareInterrupt
	Priority  rt.Priority
	// CrossCore, for a thread-mode executor, is the software interrupt that wakes this core
	// from WaitForInterrupt when one of its tasks is woken from another core or from a
	// goroutine outside the simulated CPU. New binds a handler that only clears it. Without
	// it such wakes are seen at the core's next interrupt.
	CrossCore SoftwareInterrupt
	// OnPanic receives a task's panic; nil prints it. The task has been removed.
	OnPanic func(TaskPanic)
}

// TaskPanic describes a task that panicked.
type TaskPanic struct {
	Executor string
	Task     string
	Value    any
	// Where is the file:line of the panic on the host ("" under TinyGo, which keeps no
	// such information at run time).
	Where string
}

func (p TaskPanic) Error() string {
	at := ""
	if p.Where != "" {
		at = " at " + p.Where
	}
	return "async: task " + p.Task + " of executor " + p.Executor + " panicked" + at + ": " + describe(p.Value)
}

func describe(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return "(non-string value)"
}

// slot is one entry of the task table: the header the executor keeps per task. sched packs
// the task's ready word and its bit in it, and whether the slot is live; wakers read it
// without a lock. 12 bytes on a 32-bit target.
type slot struct {
	task  Task
	sched atomic.Uint32 // live | word<<8 | bit
}

const live = 1 << 16

// TaskStats are a task's statistics. LongestPoll is in CPU cycles (rt.Cycles).
type TaskStats struct {
	Name        string
	Polls       uint32
	LongestPoll uint32
}

// Executor runs tasks. Create one with New; a thread-mode executor runs when its core calls
// Run, an interrupt-mode one whenever its software interrupt is raised.
type Executor struct {
	id        uint8
	core      int
	interrupt bool
	name      string
	swi       SoftwareInterrupt // Interrupt or CrossCore
	onPanic   func(TaskPanic)

	// The ready queue: words per priority, priority p owning ready[p*wordsPer:(p+1)*wordsPer],
	// so a higher word index is a higher priority. Bit b of ready[w] set: task
	// byBit[w*bitsPer+b] is queued. Bit w of summary set: ready[w] may be non-zero; summary
	// 0: the queue is empty.
	ready    []atomic.Uint32
	summary  atomic.Uint32
	wordsPer int
	bitsPer  int // bits of each ready word in use: min(Tasks, 32)
	stop     atomic.Uint32

	slots []slot
	stats []TaskStats
	byBit []uint8 // bitsPer entries per ready word, not 32: 32 bytes, not 128, for 8 tasks

	mu       spinlock // guards free, freeBits, count
	free     [8]uint32
	freeBits []uint32 // per ready word: the bits no task holds
	count    int

	current  int  // slot being polled, -1 outside polls
	panicked bool // the last pollGuarded ended in a task's panic
	polling  bool // pollProtected is running: a second, nested call is a misuse

	// taken but not yet polled by pollReady (see giveBack)
	takenWord, takenBatch, takenSum uint32
	cx                              Context

	cycleLast   uint32 // for the 64-bit extension of rt.Cycles
	cycleHigh   uint64
	startCycles uint64
	idleCycles  uint64
	running     bool
}

// ConfigError is New's error for a Config field out of range; errors.Is(err, ErrBadConfig)
// holds for it.
type ConfigError struct {
	Field    string
	Value    int
	Min, Max int
	Why      string
}

func (e *ConfigError) Error() string {
	return "async: bad executor configuration: Config." + e.Field + " = " + strconv.Itoa(e.Value) +
		", want " + strconv.Itoa(e.Min) + ".." + strconv.Itoa(e.Max) + e.Why
}

// Unwrap makes errors.Is(err, ErrBadConfig) true.
func (e *ConfigError) Unwrap() error { return ErrBadConfig }

// New creates an executor on the current core and registers it so its wakers work. For an
// interrupt-mode executor it binds the software interrupt's handler at cfg.Priority.
func New(cfg Config) (*Executor, error) {
	if cfg.Tasks < 1 || cfg.Tasks > MaxTasks {
		return nil, &ConfigError{Field: "Tasks", Value: cfg.Tasks, Min: 1, Max: MaxTasks}
	}
	if cfg.Interrupt != nil && (cfg.Priority < 1 || cfg.Priority > rt.MaxPriority) {
		return nil, &ConfigError{Field: "Priority", Value: int(cfg.Priority), Min: 1, Max: int(rt.MaxPriority),
			Why: " (an interrupt-mode executor's interrupt priority)"}
	}
	e := &Executor{
		core:      rt.CoreID(),
		interrupt: cfg.Interrupt != nil,
		name:      cfg.Name,
		onPanic:   cfg.OnPanic,
		slots:     make([]slot, cfg.Tasks),
		stats:     make([]TaskStats, cfg.Tasks),
		current:   -1,
	}
	if e.name == "" {
		e.name = "executor"
	}
	for i := 0; i < cfg.Tasks; i++ {
		e.free[i/32] |= 1 << (i % 32)
	}
	e.wordsPer = (cfg.Tasks + 31) / 32
	e.bitsPer = min(cfg.Tasks, 32)
	words := TaskPriorities * e.wordsPer
	e.ready = make([]atomic.Uint32, words)
	e.byBit = make([]uint8, words*e.bitsPer)
	e.freeBits = make([]uint32, words)
	for w := range e.freeBits {
		// Bits are taken lowest first and a table of n tasks never holds more than n, so
		// a word of a table smaller than 32 never needs a bit above n-1.
		e.freeBits[w] = ^uint32(0) >> (32 - e.bitsPer)
	}
	registered := false
	for i := range executors {
		if executors[i].CompareAndSwap(nil, e) {
			e.id = uint8(i + 1)
			registered = true
			break
		}
	}
	if !registered {
		return nil, ErrTooMany
	}
	switch {
	case cfg.Interrupt != nil:
		e.swi = cfg.Interrupt
		e.swi.Bind(e.onInterrupt, cfg.Priority)
	case cfg.CrossCore != nil:
		e.swi = cfg.CrossCore
		e.swi.Bind(e.swi.Clear, rt.MaxPriority)
	}
	return e, nil
}

// Close unregisters the executor (its wakers then do nothing) and unbinds nothing: the
// caller owns its software interrupt. For tests that create many executors.
func (e *Executor) Close() {
	if e.id != 0 {
		executors[e.id-1].CompareAndSwap(e, nil)
		e.id = 0
	}
}

// Name returns the executor's name.
func (e *Executor) Name() string { return e.name }

// Spawner returns a handle that spawns tasks onto e, from any context.
func (e *Executor) Spawner() Spawner { return Spawner{unsafe.Pointer(e)} }

// Spawner spawns tasks onto one executor. It is a plain value: copy it into tasks, interrupt
// handlers and other cores.
//
// It holds the executor as an unsafe.Pointer, not an *Executor: a task that keeps a Spawner
// reaches an interface (Task), and TinyGo emits type information for every type reachable
// from a value in an interface, which through an *Executor is the executor's whole state,
// about 1.5 KB of flash.
type Spawner struct{ e unsafe.Pointer }

// Spawn adds task at priority 0; see SpawnNamed.
func (s Spawner) Spawn(task Task) (Waker, error) { return s.SpawnNamed(taskName(task), task, 0) }

// SpawnPriority adds task at a task priority (0..TaskPriorities-1).
func (s Spawner) SpawnPriority(task Task, prio int) (Waker, error) {
	return s.SpawnNamed(taskName(task), task, prio)
}

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
	// A free bit among the priority's words: there are as many bits as slots, so one exists.
	w := prio * e.wordsPer
	for e.freeBits[w] == 0 {
		w++
	}
	b := bits.TrailingZeros32(e.freeBits[w])
	e.free[idx/32] &^= 1 << (idx % 32)
	e.freeBits[w] &^= 1 << b
	e.count++
	e.byBit[int(w)*e.bitsPer+b] = uint8(idx)
	sl := &e.slots[idx]
	sl.task = task
	e.stats[idx] = TaskStats{Name: name}
	sl.sched.Store(live | uint32(w)<<8 | uint32(b))
	e.mu.unlock(cs)
	e.wake(uint8(idx))
	return makeWaker(e.id, uint8(idx)), nil
}

func taskName(t Task) string {
	if n, ok := t.(Named); ok {
		return n.TaskName()
	}
	return "task"
}

// Len returns the number of tasks in the table.
func (e *Executor) Len() int {
	cs := e.mu.lock()
	n := e.count
	e.mu.unlock(cs)
	return n
}

// wake queues slot idx and pends the executor if its queue was empty.
func (e *Executor) wake(idx uint8) {
	if int(idx) >= len(e.slots) {
		return
	}
	s := e.slots[idx].sched.Load()
	if s&live == 0 {
		return // finished: nothing to poll
	}
	w, b := (s>>8)&0x1F, s&0x1F
	if orUint32(&e.ready[w], 1<<b)&(1<<b) != 0 {
		return // already queued
	}
	// The executor is pended only when its queue goes from empty to non-empty: the
	// summary word is that queue's state.
	if orUint32(&e.summary, 1<<w) == 0 {
		e.pend()
	}
}

// pend makes the executor look at its queue soon.
func (e *Executor) pend() {
	switch {
	case e.swi == nil:
		// A thread-mode executor without a cross-core interrupt: nothing to raise. Its own
		// core sees the queue before it sleeps; other wakers are seen at its next interrupt.
	case e.interrupt:
		e.swi.Raise()
	case rt.OnCore() && rt.CoreID() == e.core:
		// Thread mode on the executor's own core: either this is the executor itself (it
		// looks at the queue before sleeping) or an interrupt handler, whose interrupt
		// already ends the WaitForInterrupt.
	default:
		e.swi.Raise()
	}
}

// pollReady polls queued tasks, highest priority first, until none is queued. It takes the
// whole summary at once (one atomic swap), then each ready word of it, highest first, and
// polls that word's tasks in slot order, so a task that keeps waking itself cannot starve
// its peers. Between two polls it checks for a newly woken task of higher priority and, if
// there is one, gives back what it has not polled yet and starts over.
func (e *Executor) pollReady() {
	for {
		sum := e.summary.Swap(0)
		if sum == 0 {
			return
		}
		for sum != 0 {
			w := uint32(bits.Len32(sum) - 1)
			sum &^= 1 << w
			batch := e.ready[w].Swap(0)
			for batch != 0 {
				b := bits.TrailingZeros32(batch)
				batch &^= 1 << b
				// What is taken but not yet polled, for giveBack if this poll panics.
				e.takenWord, e.takenBatch, e.takenSum = w, batch, sum
				e.pollSlot(int(e.byBit[int(w)*e.bitsPer+b]))
				// Only words of a higher task priority preempt the batch: the words of one
				// priority are one queue, served a round at a time, so a task that wakes
				// itself cannot starve the others of its priority, whatever their slots.
				if e.summary.Load()>>((int(w)/e.wordsPer+1)*e.wordsPer) != 0 {
					// A higher priority was woken: hand back the rest, then start over.
					e.takenBatch, e.takenSum = 0, 0
					e.requeue(w, batch, sum)
					sum = 0
					break
				}
			}
		}
		e.takenBatch, e.takenSum = 0, 0
	}
}

// requeue puts back tasks taken from the queue but not polled: batch of word w, and the
// words of sum.
func (e *Executor) requeue(w, batch, sum uint32) {
	if batch != 0 {
		orUint32(&e.ready[w], batch)
		sum |= 1 << w
	}
	if sum != 0 {
		orUint32(&e.summary, sum)
	}
}

// giveBack requeues what pollReady had taken when a poll ended in a panic or Goexit, so
// that the tasks after the failed one keep their wakes.
func (e *Executor) giveBack() {
	w, batch, sum := e.takenWord, e.takenBatch, e.takenSum
	e.takenBatch, e.takenSum = 0, 0
	e.requeue(w, batch, sum)
}

// pollSlot polls the task in slot idx once.
func (e *Executor) pollSlot(idx int) {
	sl := &e.slots[idx]
	if sl.sched.Load()&live == 0 {
		return
	}
	// One Context per executor, reused: a fresh one would escape through the interface call
	// and cost an allocation per poll. Polls of one executor never overlap.
	e.cx.waker = makeWaker(e.id, uint8(idx))
	e.current = idx
	t0 := rt.Cycles()
	done := sl.task.Poll(&e.cx)
	dt := rt.Cycles() - t0
	e.current = -1
	st := &e.stats[idx]
	st.Polls++
	if dt > st.LongestPoll {
		st.LongestPoll = dt
	}
	if done {
		e.release(idx)
	}
}

// release frees slot idx.
func (e *Executor) release(idx int) {
	sl := &e.slots[idx]
	cs := e.mu.lock()
	s := sl.sched.Load()
	w, b := (s>>8)&0x1F, s&0x1F
	sl.sched.Store(0)
	sl.task = nil
	e.free[idx/32] |= 1 << (idx % 32)
	e.freeBits[w] |= 1 << b
	e.count--
	e.mu.unlock(cs)
}

// Poll polls every queued task until none is left queued, then returns. Thread-mode
// executors call it from Run; tests may call it directly to step an executor. It panics on
// an interrupt-mode executor, whose software interrupt polls it (its handler would re-enter
// a Poll it preempted), and when called while the executor is already polling (from one
// of its own tasks, or a handler that preempted it).
func (e *Executor) Poll() {
	if e.interrupt {
		panic("async: Poll called on interrupt-mode executor " + e.name + ": its software interrupt polls it; wake a task (or raise the interrupt) instead")
	}
	e.pollProtected()
}

// onInterrupt is an interrupt-mode executor's software-interrupt handler.
func (e *Executor) onInterrupt() {
	e.swi.Clear()
	e.pollProtected()
}

// Run is the thread-mode executor's loop: poll what is ready, sleep in WaitForInterrupt
// when nothing is, repeat. It returns when the table is empty (every task has finished) or
// Stop was called. Checking the queue and sleeping happen in one critical section: a task
// woken from an interrupt in between leaves that interrupt pending, which ends the sleep.
func (e *Executor) Run() {
	if e.interrupt {
		panic("async: Run called on interrupt-mode executor " + e.name)
	}
	e.running = true
	e.startCycles = e.cycles()
	e.idleCycles = 0
	for e.stop.Load() == 0 {
		e.pollProtected()
		cs := rt.EnterCritical()
		if e.summary.Load() == 0 {
			if e.Len() == 0 || e.stop.Load() != 0 {
				cs.Exit()
				break
			}
			t0 := e.cycles()
			rt.WaitForInterrupt()
			e.idleCycles += e.cycles() - t0
		}
		cs.Exit()
	}
	e.running = false
	e.stop.Store(0)
}

// Stop makes Run return after the current poll; from any context.
func (e *Executor) Stop() {
	e.stop.Store(1)
	e.pend()
}

// cycles extends rt.Cycles to 64 bits. It is called at least once per poll loop, so it sees
// every wrap as long as the core does not sleep longer than one wrap (26 s at 160 MHz).
func (e *Executor) cycles() uint64 {
	c := rt.Cycles()
	if c < e.cycleLast {
		e.cycleHigh += 1 << 32
	}
	e.cycleLast = c
	return e.cycleHigh | uint64(c)
}

// Stats returns the statistics of task slot i (0..Tasks-1) and whether it holds a task.
// Read it from the executor's own context or after Run returned.
func (e *Executor) Stats(i int) (TaskStats, bool) {
	if i < 0 || i >= len(e.slots) {
		return TaskStats{}, false
	}
	return e.stats[i], e.slots[i].sched.Load()&live != 0
}

// StatsOf returns the statistics of the task w wakes.
func (e *Executor) StatsOf(w Waker) TaskStats {
	if uint32(w)>>8 != uint32(e.id) || int(uint8(w)) >= len(e.stats) {
		return TaskStats{}
	}
	return e.stats[uint8(w)]
}

// Idle returns the fraction of cycles a thread-mode executor has spent in WaitForInterrupt
// since Run started (0 before, and for interrupt-mode executors).
func (e *Executor) Idle() float64 {
	total := e.cycles() - e.startCycles
	if total == 0 {
		return 0
	}
	return float64(e.idleCycles) / float64(total)
}

// IdleCycles returns the cycles spent in WaitForInterrupt and the cycles since Run started.
func (e *Executor) IdleCycles() (idle, total uint64) {
	return e.idleCycles, e.cycles() - e.startCycles
}

// reportPanic removes the task being polled and reports it.
func (e *Executor) reportPanic(v any, where string) {
	idx := e.current
	e.current = -1
	if idx < 0 {
		panic(v) // not from a task: the executor itself is broken
	}
	if s, ok := e.slots[idx].task.(interface{ panicSite() string }); ok && s.panicSite() != "" {
		where = s.panicSite() // a straight-line task's own function, not the re-panic in its Poll
	}
	p := TaskPanic{Executor: e.name, Task: e.stats[idx].Name, Value: v, Where: where}
	e.release(idx)
	if e.onPanic != nil {
		e.onPanic(p)
		return
	}
	println(p.Error())
}
