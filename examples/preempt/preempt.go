// Command preempt shows an interrupt-mode executor preempting a busy thread-mode task, the
// RTIC-style scheduling gohal's async gives Go firmware: a task on the thread-mode executor
// works for 60 ms without ever yielding, while a task on an interrupt executor at
// priority 2 (polled in the FROM_CPU_INTR0 handler) wakes on its Ticker every 10 ms, runs
// in the middle of that work, and reports how far the work had got.
//
//	go run ./examples/preempt                       # on the ESP32-C3 simulator, virtual time
//	tinygo build -target=esp32c3 ./examples/preempt  # for the chip
//
// Both tasks print to UART0; the console they share is an async.CeilingLock with ceiling 2,
// so a line printed by one is never cut by the other (RTIC's stack resource policy: taking
// the lock masks priorities up to 2 for the few microseconds of the print).
package main

import (
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
)

const (
	urgentPriority = 2
	urgentPeriod   = 10 * async.Millisecond
	urgentTicks    = 5
	busyWork       = 60 * async.Millisecond
)

// progress is the busy task's iteration count, read by the urgent task while it preempts.
var progress atomic.Uint32

// busyTask works for busyWork without yielding: the executor cannot run anything else on
// this core until it returns, but interrupts can.
type busyTask struct {
	con        *async.CeilingLock[*console.Console]
	iterations uint32
}

func (b *busyTask) Poll(cx *async.Context) bool {
	start := async.Now()
	b.con.Lock(func(c **console.Console) {
		(*c).S("busy (thread mode): ").D(busyWork.Millis()).S(" ms of work without yielding, from ").D(start.Sub(0).Millis()).S(" ms").NL()
	})
	end := systimer.Ticks() + uint64(busyWork)*systimer.TicksPerMicrosecond
	n := uint32(0)
	for systimer.Ticks() < end {
		n++
		progress.Store(n)
	}
	b.iterations = n
	b.con.Lock(func(c **console.Console) {
		(*c).S("busy (thread mode): done at ").D(async.Now().Sub(0).Millis()).S(" ms after ").D(int64(n)).S(" iterations").NL()
	})
	return true
}

// urgentTask runs on the interrupt executor: each tick it preempts whatever the thread is
// doing and reports where the busy task was.
type urgentTask struct {
	con     *async.CeilingLock[*console.Console]
	tk      async.Ticker
	n       int
	started bool
	ran     int // ticks seen while the busy task was in the middle of its work
}

func (u *urgentTask) Poll(cx *async.Context) bool {
	if !u.started {
		u.tk = async.NewTicker(urgentPeriod)
		u.started = true
	}
	for {
		at, ok := u.tk.Poll(cx)
		if !ok {
			return false
		}
		u.n++
		p := progress.Load()
		inIRQ := rt.InInterrupt()
		// Acquire, not Lock with a closure: this runs in an interrupt handler, where the
		// closure TinyGo would heap-allocate for the captured variables panics the chip.
		c, g := u.con.Acquire()
		(*c).S("urgent (priority ").D(urgentPriority).S("): tick ").D(int64(u.n)).S(" due at ").D(int64(at)).
			S(" us, in the FROM_CPU_INTR0 handler: ").S(yes(inIRQ)).S("; busy task at iteration ").D(int64(p)).NL()
		g.Release()
		if p > 0 {
			u.ran++
		}
		if u.n == urgentTicks {
			return true
		}
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func firmware() {
	progress.Store(0)
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := async.NewCeilingLock(urgentPriority, console.New(u))

	urgent, err := executor.Interrupt(0, urgentPriority, executor.Options{Name: "urgent"})
	check(err)
	thread, err := executor.Thread(executor.Options{Name: "main"})
	check(err)

	ut := &urgentTask{con: con}
	_, err = async.SpawnWith(urgent.Spawner(), ut, async.SpawnOptions{Name: "urgent"})
	check(err)
	bt := &busyTask{con: con}
	_, err = async.SpawnWith(thread.Spawner(), bt, async.SpawnOptions{Name: "busy"})
	check(err)
	thread.Run() // returns when the busy task is done; the urgent one finished inside it

	con.Lock(func(c **console.Console) {
		(*c).S("preempt: the priority-2 task ran ").D(int64(ut.ran)).S(" of ").D(urgentTicks).
			S(" times in the middle of the busy task, which never yielded").NL()
	})
	u.Flush()
	thread.Close()
	urgent.Close()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
