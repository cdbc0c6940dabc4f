package a

import (
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
)

var (
	u      *uart.Blocking
	w      async.Waker
	count  int
	events chan int
	sw     *swint.SoftwareInterrupt
	name   string
)

// --- misuse ---

func sleeps() { time.Sleep(time.Millisecond) }

func writes() { u.Write([]byte("x")) }

func deep() { helper() }

func helper() { sleeps() }

func sends() { events <- 1 }

func allocates() { _ = make([]byte, 16) }

func concatenates() { name = name + "!" }

func blocks() { async.Block[int](nil) }

type sleepyTask struct{}

func (sleepyTask) Poll(*async.Context) bool { time.Sleep(1); return true } // want Poll:"blocks: time.Sleep at a.go:42"

func roots() {
	rt.Bind(1, sleeps)       // want `interrupt handler sleeps may block or allocate: time.Sleep at a.go:24`
	rt.Bind(2, writes)       // want `interrupt handler writes may block or allocate: uart.Blocking.Write \(a Blocking driver method`
	rt.Bind(3, deep)         // want `interrupt handler deep may block or allocate: a.helper \(a.go:28\) → a.sleeps \(a.go:30\) → time.Sleep`
	rt.Bind(4, sends)        // want `a channel send`
	rt.Bind(5, allocates)    // want `make \(heap-allocated\)`
	rt.Bind(6, concatenates) // want `string concatenation`
	rt.Bind(7, blocks)       // want `async.Block`
	rt.Bind(8, func() {      // want `\(function literal\) may block or allocate: time.Sleep`
		time.Sleep(1)
	})
	sw.Bind(func() { writes() }, 2) // want `may block or allocate: a.writes`
	n := 3
	rt.Bind(9, func() { // want `a closure that captures variables|may block`
		f := func() { n++ }
		f()
	})
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(sleepyTask{}) // want `task sleepyTask runs on an interrupt-mode executor`
}

// --- correct ---

func clears() { count++; w.Wake() }

func panicsWithAMessage() {
	if count < 0 {
		panic("negative count: " + name)
	}
}

type quickTask struct{}

func (quickTask) Poll(*async.Context) bool { count++; return true }

func goodRoots() {
	rt.Bind(10, clears)
	rt.Bind(11, panicsWithAMessage)
	rt.Bind(12, nil)
	rt.Bind(13, func() { count++ })
	sw.Bind(func() { sw.Clear(); w.Wake() }, 2)
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(quickTask{})
	th, _ := executor.Thread(executor.Options{})
	th.Spawner().Spawn(sleepyTask{}) // thread mode may wait
	writes()                         // not a handler
}

var table = [2]func(){clears, clears}

func tableRoots() { rt.Bind(14, table[0]) }

var badTable = [2]func(){clears, sleeps}

func badTableRoots() { rt.Bind(15, badTable[1]) } // want `interrupt handler sleeps may block`

// The bug examples/preempt had on the chip: an interrupt executor's task passing a
// capturing closure to a lock (TinyGo puts the closure on the heap: "heap alloc in
// interrupt").
type ceiling struct{ n int }

func (c *ceiling) Lock(f func(*int)) { f(&c.n) }

type reporter struct {
	l    ceiling
	tick int
}

func (r *reporter) Poll(*async.Context) bool { // want Poll:"blocks: a closure that captures variables"
	at := r.tick
	r.l.Lock(func(n *int) { *n = at })
	return true
}

func spawnsReporter() {
	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(&reporter{}) // want `task \*reporter runs on an interrupt-mode executor, inside its interrupt handler, and may block or allocate: a closure that captures variables`
	// The generic spawns are followed too.
	async.Spawn(hi.Spawner(), &reporter{})                                    // want `task \*reporter runs on an interrupt-mode executor`
	async.SpawnWith(hi.Spawner(), &reporter{}, async.SpawnOptions{Name: "r"}) // want `task \*reporter runs on an interrupt-mode executor`
	th, _ := executor.Thread(executor.Options{})
	async.Spawn(th.Spawner(), &reporter{}) // thread mode may wait
}
