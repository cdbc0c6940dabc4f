// Command executor runs gohal's async executor on a real 32-bit RISC-V core and on a
// Cortex-M3 under QEMU (TinyGo's sifive-e-qemu and netduino2-qemu targets) and prints what
// `make tinygo` checks: a thousand
// wake-and-poll rounds allocate nothing, a task that panics is reported by name while the
// others go on, and two straight-line tasks (async.Go: goroutines the executor hands the
// CPU to), one on a stack of its own size, pass a hundred values through a Channel without
// allocating.
//
//	tinygo run -target=sifive-e-qemu ./examples/qemu/executor
//	tinygo run -target=netduino2-qemu ./examples/qemu/executor
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

// ownStack is the producer task's goroutine stack, in bytes.
const ownStack = 512

func main() {
	e, err := async.New(async.Config{Name: "qemu", Tasks: 4, OnPanic: func(p async.TaskPanic) {
		println("reported:", p.Error())
	}})
	if err != nil {
		println("async.New:", err.Error())
		return
	}
	// The waiter comes from async.Spawn: the slot calls its Poll through the code address it
	// keeps (pollPointer), and neither the spawn nor the polls allocate.
	var before, after runtime.MemStats
	w := &waiter{}
	runtime.ReadMemStats(&before)
	_, err = async.SpawnWith(e.Spawner(), w, async.SpawnOptions{Name: "waiter"})
	runtime.ReadMemStats(&after)
	println("async.Spawn:", err == nil, "mallocs:", after.Mallocs-before.Mallocs)
	e.Spawner().SpawnNamed("crasher", async.TaskFunc(func(*async.Context) bool { panic("gave up") }), 1)
	e.Poll()

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
	// The producer runs on a goroutine stack of its own size (async.GoOptions.StackSize),
	// the consumer on the program's -stack-size: the heap each takes is its stack plus the
	// same task state, whatever the two sizes.
	var m0, m1, m2 runtime.MemStats
	runtime.ReadMemStats(&m0)
	producer := async.GoWith(async.GoOptions{Name: "producer", StackSize: ownStack}, func(t *async.T) {
		for i := 1; i <= 100; i++ {
			ch.AwaitSend(t, i)
		}
	})
	runtime.ReadMemStats(&m1)
	consumer := async.Go(func(t *async.T) {
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
	})
	runtime.ReadMemStats(&m2)
	ownHeap, defaultHeap := m1.TotalAlloc-m0.TotalAlloc, m2.TotalAlloc-m1.TotalAlloc
	println("heap of a straight-line task: own", ownStack, "byte stack:", ownHeap, "bytes; the -stack-size stack:", defaultHeap, "bytes")
	state := ownHeap - ownStack // the task and its goroutine's state
	println("a task's own stack size sets its stack:", ownHeap < defaultHeap && ownHeap > ownStack && state < 512)
	e.Spawner().Spawn(producer)
	e.Spawner().Spawn(consumer)
	for i := 0; i < 10_000 && e.Len() > 1; i++ {
		e.Poll()
	}
	println("straight-line tasks: sum", sum, "mallocs in 80 round trips:", after.Mallocs-before.Mallocs, "tasks left:", e.Len())
}
