// Package executor wires gohal's async executors to the ESP32-C3: a thread-mode executor
// per core with its cross-core software interrupt, interrupt-mode executors on
// FROM_CPU_INTR0–3, and the SYSTIMER time driver, so that firmware writes little:
//
//	func firmware() {
//		hi, _ := executor.Interrupt(0, 2, executor.Options{Name: "urgent"}) // FROM_CPU_INTR0, priority 2
//		th, _ := executor.Thread(executor.Options{Name: "main"})            // this core
//		async.Spawn(hi.Spawner(), &urgentTask{})
//		async.Spawn(th.Spawner(), &ticker{})
//		th.Run() // polls, sleeps in WFI when nothing is ready; returns when every task is done
//	}
//
// hal.Init starts the SYSTIMER time driver (unless hal.Config.NoTimeDriver) on the core it
// runs on; every constructor here sets up the current core's alarm too
// (systimer.StartHere), at the priority hal.Init chose, so timers work on every core that
// has an executor. With NoTimeDriver nothing starts it, and async timers panic with
// async.ErrNoTimeDriver.
//
// Software interrupts are claimed through hal/swint (hal/periph's registry), so each has
// one user: on a chip with several cores the thread-mode executor of core k takes
// FROM_CPU_INTR(3-k) for wakes from the other cores, unless Options.CrossCore names another;
// an interrupt-mode executor takes the one it is given. On the single-core ESP32-C3 the
// thread executor needs none, which leaves FROM_CPU_INTR0–3 for up to four interrupt
// executors or the firmware. Close gives them back.
//
// The executors themselves are async.Executor values (embedded): Spawner, Run, Stop, Idle,
// Stats and the rest come from there.
package executor

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
)

// DefaultTasks is the task-table size when Options.Tasks is 0.
const DefaultTasks = 8

// Options configures an executor; the zero value is usable.
type Options struct {
	// Name appears in statistics and panic reports ("thread" or "interrupt" if empty).
	Name string
	// Tasks is the size of the task table (default DefaultTasks).
	Tasks int
	// OnPanic receives a panicking task's report (nil prints it); see async.Config.
	OnPanic func(async.TaskPanic)
	// CrossCore, for Thread, is the software interrupt that wakes this core's executor from
	// another core; nil takes FROM_CPU_INTR(3-core).
	CrossCore *swint.SoftwareInterrupt
}

// Executor is an async executor together with the software interrupt it owns.
type Executor struct {
	*async.Executor
	swi *swint.SoftwareInterrupt
}

// SoftwareInterrupt returns the software interrupt the executor owns: the one it polls in
// (interrupt mode) or its cross-core wake-up (thread mode; nil on a single-core chip unless
// Options.CrossCore gave one).
func (e *Executor) SoftwareInterrupt() *swint.SoftwareInterrupt { return e.swi }

// Close unregisters the executor and releases its software interrupt (unbinding it: call
// Close on the executor's core). The time driver keeps running; systimer.Stop stops it.
func (e *Executor) Close() {
	e.Executor.Close()
	if e.swi != nil {
		e.swi.Release()
		e.swi = nil
	}
}

// CrossCoreInterrupt returns the number of the software interrupt the thread-mode executor
// of core takes by default: FROM_CPU_INTR(3-core).
func CrossCoreInterrupt(core int) int { return 3 - core }

// Thread creates the current core's thread-mode executor. Run it from the core's main
// code: it polls ready tasks and sleeps in WaitForInterrupt when none is, and a wake from
// another core raises its cross-core software interrupt.
func Thread(o Options) (*Executor, error) {
	if err := systimer.StartHere(); err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = "thread"
	}
	sw := o.CrossCore
	// A wake from another core is what the cross-core interrupt is for. A single-core chip
	// (the ESP32-C3) has no other core: every wake comes from this core's thread code or
	// handlers, whose own interrupt already ends the WaitForInterrupt, so the executor
	// leaves FROM_CPU_INTR3 to the firmware.
	if sw == nil && rt.NumCores() > 1 {
		var err error
		tok := periph.StealSoftwareInterrupt(CrossCoreInterrupt(rt.CoreID()))
		if sw, err = swint.Claim(tok, "executor "+o.Name+" (cross-core wake)"); err != nil {
			return nil, err
		}
	}
	var cross async.SoftwareInterrupt
	if sw != nil {
		cross = sw // not a typed nil in the interface
	}
	e, err := async.New(async.Config{Name: o.Name, Tasks: tasks(o), CrossCore: cross, OnPanic: o.OnPanic})
	if err != nil {
		if sw != nil {
			sw.Release()
		}
		return nil, err
	}
	return &Executor{Executor: e, swi: sw}, nil
}

// Interrupt creates an interrupt-mode executor that polls its tasks in the handler of
// FROM_CPU_INTRn (n = 0..3), bound on the current core at priority p (1..15). Its tasks
// preempt thread-mode code and interrupt executors of lower priority whenever they are
// woken. It needs no Run.
func Interrupt(n int, p rt.Priority, o Options) (*Executor, error) {
	if err := systimer.StartHere(); err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = "interrupt"
	}
	sw, err := swint.Claim(periph.StealSoftwareInterrupt(n), "executor "+o.Name)
	if err != nil {
		return nil, err
	}
	e, err := async.New(async.Config{Name: o.Name, Tasks: tasks(o), Interrupt: sw, Priority: p, OnPanic: o.OnPanic})
	if err != nil {
		sw.Release()
		return nil, err
	}
	return &Executor{Executor: e, swi: sw}, nil
}

func tasks(o Options) int {
	if o.Tasks == 0 {
		return DefaultTasks
	}
	return o.Tasks
}
