package async

import (
	"errors"
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/internal/itoa"
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
	// PollTimes makes the executor time every poll for TaskStats.LongestPoll: two readings
	// of the cycle counter per poll. Without it LongestPoll stays 0 (Polls is always
	// counted).
	PollTimes bool
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
	// so a higher word index is a higher priority. A task's bit is fixed by its slot: slot
	// i of priority p is bit i%32 of ready[p*wordsPer+i/32].bits, so the poll loop finds the
	// slot from the bit with an add (readyWord.base), not a table. Bit w of summary set:
	// ready[w].bits may be non-zero;
	// summary 0 while the executor is not polling: the queue is empty (pollReady explains
	// the hint).
	ready    []readyWord
	summary  atomic.Uint32
	wordsPer int
	stop     atomic.Uint32

	slots []slot

	mu    spinlock // guards free, count
	free  [8]uint32
	count int

	current  int  // slot being polled, -1 outside polls
	panicked bool // the last pollGuarded ended in a task's panic
	polling  bool // pollProtected is running: a second, nested call is a misuse
	timing   bool // Config.PollTimes

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
	return "async: bad executor configuration: Config." + e.Field + " = " + itoa.Itoa(e.Value) +
		", want " + itoa.Itoa(e.Min) + ".." + itoa.Itoa(e.Max) + e.Why
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
		timing:    cfg.PollTimes,
		slots:     make([]slot, cfg.Tasks),
		current:   -1,
	}
	if e.name == "" {
		e.name = "executor"
	}
	for i := 0; i < cfg.Tasks; i++ {
		e.free[i/32] |= 1 << (i % 32)
	}
	e.wordsPer = (cfg.Tasks + 31) / 32
	e.ready = make([]readyWord, TaskPriorities*e.wordsPer)
	for w := range e.ready {
		// The higher priorities' words start with the next priority's first word.
		shift := (w/e.wordsPer + 1) * e.wordsPer
		e.ready[w].higher = bitsFrom(uint(shift))
		e.ready[w].base = int32(w%e.wordsPer) * 32
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

func taskName(t Task) string {
	if n, ok := t.(Named); ok {
		return n.TaskName()
	}
	return "task"
}
