package a

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/executor"
)

type swi struct{}

func (swi) Raise() {}

func body(t *async.T) {}

// --- misuse ---

func direct() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(async.Go(body)) // want `straight-line task \(async.Go\) spawned on an interrupt-mode executor`
}

func named() {
	hi, _ := executor.Interrupt(1, 3, executor.Options{Name: "urgent"})
	hi.Spawner().SpawnNamed("x", async.GoNamed("x", body), 0) // want `straight-line task`
}

func viaSpawner() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	s := hi.Spawner()
	s.SpawnPriority(async.Go(body), 1) // want `straight-line task`
}

func viaTaskVar() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	task := async.Go(func(t *async.T) {})
	hi.Spawner().Spawn(task) // want `straight-line task`
}

func rawAsync() {
	e, _ := async.New(async.Config{Name: "irq", Interrupt: swi{}, Priority: 2})
	e.Spawner().Spawn(async.Go(body)) // want `straight-line task`
}

func inClosure() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	go func() {
		s := hi.Spawner()
		_ = s
	}()
	var sp = hi.Spawner()
	sp.Spawn(async.Go(body)) // want `straight-line task`
}

// --- correct ---

func thread() {
	th, _ := executor.Thread(executor.Options{})
	th.Spawner().Spawn(async.Go(body))
}

func stacklessOnInterrupt() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return true }))
}

func rawThread() {
	e, _ := async.New(async.Config{Name: "thread"})
	e.Spawner().Spawn(async.Go(body))
}

func rawNilInterrupt() {
	e, _ := async.New(async.Config{Name: "thread", Interrupt: nil})
	e.Spawner().Spawn(async.Go(body))
}

func reassigned() {
	ex, _ := executor.Interrupt(0, 2, executor.Options{})
	_ = ex
	ex, _ = executor.Thread(executor.Options{})
	ex.Spawner().Spawn(async.Go(body))
}

func taskVarReassigned() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	task := async.Go(body)
	_ = task
	task = async.TaskFunc(func(*async.Context) bool { return true })
	hi.Spawner().Spawn(task)
}

// --- suppression ---

func suppressed() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	//gohalvet:ignore irqstraight a test of the run-time refusal
	hi.Spawner().Spawn(async.Go(body))
}

func suppressedWithoutReason() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	//gohalvet:ignore irqstraight
	hi.Spawner().Spawn(async.Go(body)) // want `straight-line task`
}

func closureUsesOuterExecutor() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	run := func() {
		hi.Spawner().Spawn(async.Go(body)) // want `straight-line task`
	}
	run()
}
