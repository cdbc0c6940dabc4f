// Command ticker runs an async.Ticker task on the thread-mode executor: a tick every
// 250 ms, each followed by a varying amount of busy work, and shows that the ticks do not
// drift: tick k's deadline is exactly start + k × 250 ms whatever the work before it took,
// and between ticks the core sleeps in WFI.
//
//	go run ./examples/ticker                           # on the ESP32-C3 simulator, virtual time
//	go run ./examples/ticker -realtime                 # paced to the wall clock
//	tinygo build -target=esp32c3 ./examples/ticker     # for the chip
//
// Output goes to UART0 (GPIO21) through hal/uart; on the host the simulator prints it.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	period = 250 * async.Millisecond
	ticks  = 8
)

// tickTask prints each tick, then works for a while without yielding: 0..15 ms, different
// every tick. A sleep of one period after the work would drift by the work's length; the
// Ticker's deadlines are counted from the previous deadline, so they do not.
type tickTask struct {
	con     *console.Console
	tk      async.Ticker
	start   async.Instant
	n       int
	started bool
}

func (t *tickTask) Poll(cx *async.Context) bool {
	if !t.started {
		t.start = async.Now()
		t.tk = async.NewTicker(period)
		t.started = true
		t.con.S("ticker: start at ").D(int64(t.start)).S(" us; a tick every 250 ms, ").D(ticks).S(" ticks").NL()
	}
	for {
		at, ok := t.tk.Poll(cx)
		if !ok {
			return false // asleep until the SYSTIMER alarm of the next deadline
		}
		late := async.Now().Sub(at)
		t.n++
		work := async.Duration(t.n*7%4) * 5 * async.Millisecond
		t.con.S("tick ").D(int64(t.n)).S(": deadline start + ").D(int64(at.Sub(t.start) / async.Millisecond)).
			S(" ms, polled ").D(late.Micros()).S(" us after it, then ").D(work.Millis()).S(" ms of work").NL()
		busyFor(work)
		if t.n == ticks {
			return true
		}
	}
}

// busyFor spins on the SYSTIMER counter: work that never yields.
func busyFor(d async.Duration) {
	end := systimer.Ticks() + uint64(d)*systimer.TicksPerMicrosecond
	for systimer.Ticks() < end {
	}
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	ex, err := executor.Thread(executor.Options{Name: "main"})
	check(err)
	task := &tickTask{con: con}
	_, err = async.SpawnWith(ex.Spawner(), task, async.SpawnOptions{Name: "ticker"})
	check(err)
	ex.Run() // returns when the ticker task has finished

	idle, total := ex.IdleCycles()
	last := task.start.Add(ticks * period)
	con.S("ticker: done at ").D(int64(async.Now())).S(" us; tick ").D(ticks).S(" was due at start + ").
		D(int64(last.Sub(task.start)/async.Millisecond)).S(" ms = ").D(ticks).S(" x 250 ms: no drift; idle ").
		Frac(int64(idle)*100, int64(total)).S("% of the time").NL()
	u.Flush()
	ex.Close()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
