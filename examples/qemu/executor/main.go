// Command executor runs gohal's async executor on a real 32-bit RISC-V core under QEMU
// (TinyGo's sifive-e-qemu target) and prints what `make tinygo` checks: a thousand
// wake-and-poll rounds allocate nothing, a task that panics is reported by name while the
// others go on, and two straight-line tasks (async.Go: goroutines the executor hands the
// CPU to) pass a hundred values through a Channel without allocating.
//
//	tinygo run -target=sifive-e-qemu ./examples/qemu/executor
package main

import (
	"runtime"

	"github.com/gohal/gohal/async"
)

// waiter parks its waker and never finishes.
type waiter struct {
	polls int
	waker async.Waker
}

func (w *waiter) Poll(cx *async.Context) bool {
	w.polls++
	w.waker = cx.Waker()
	return false
}

func main() {
	e, err := async.New(async.Config{Name: "qemu", Tasks: 4, OnPanic: func(p async.TaskPanic) {
		println("reported:", p.Error())
	}})
	if err != nil {
		println("async.New:", err.Error())
		return
	}
	w := &waiter{}
	e.Spawner().SpawnNamed("waiter", w, 0)
	e.Spawner().SpawnNamed("crasher", async.TaskFunc(func(*async.Context) bool { panic("gave up") }), 1)
	e.Poll()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 1000; i++ {
		w.waker.Wake()
		e.Poll()
	}
	runtime.ReadMemStats(&after)
	println("wake+poll rounds: 1000, polls:", w.polls-1, "mallocs:", after.Mallocs-before.Mallocs)
	println("tasks left:", e.Len())

	ch := async.NewChannel[int](1)
	sum := 0
	e.Spawner().SpawnNamed("producer", async.Go(func(t *async.T) {
		for i := 1; i <= 100; i++ {
			ch.AwaitSend(t, i)
		}
	}), 0)
	e.Spawner().SpawnNamed("consumer", async.Go(func(t *async.T) {
		for i := 0; i < 100; i++ {
			// The steady state: a task's first resume and its end may allocate (its
			// deferred recovery), the 80 round trips between them must not.
			switch i {
			case 10:
				runtime.ReadMemStats(&before)
			case 90:
				runtime.ReadMemStats(&after)
			}
			sum += ch.AwaitReceive(t)
		}
	}), 0)
	for i := 0; i < 10_000 && e.Len() > 1; i++ {
		e.Poll()
	}
	println("straight-line tasks: sum", sum, "mallocs in 80 round trips:", after.Mallocs-before.Mallocs, "tasks left:", e.Len())
}
