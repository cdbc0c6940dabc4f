// Command button is gohal's GPIO interrupt example: a push button on GPIO9 (the BOOT button
// of most ESP32-C3 boards: to ground, with the pad's pull-up) wakes a task through the GPIO
// edge interrupt. The task awaits the falling edge, prints the press on UART0, toggles the
// LED on GPIO8, then debounces: it lets the contacts settle with an async timer, awaits
// the release (the pin high again) and lets that settle too, so a bouncing button counts
// once per press. Between presses the core sleeps in WFI. After three presses it stops.
//
//	go run ./examples/button                       # on the simulator, which presses the button
//	tinygo build -target=esp32c3 ./examples/button # the same source for the chip
//
// On the host (start_host.go) the simulator presses the button three times, each press and
// each release bouncing for a few hundred microseconds, and prints UART0's output.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	buttonPin = 9
	ledPin    = 8
	presses   = 3                      // presses before the firmware stops
	settle    = 20 * async.Millisecond // contact bounce dies down within this
)

// Stats is what the last run measured, for the host's report and the tests.
type Stats struct {
	Presses int
	// Resumed is, for each press, when the task resumed after the falling edge (SYSTIMER
	// time, µs since reset).
	Resumed [presses]async.Instant
	// IdleCycles and TotalCycles are the executor's time in WFI and in Run.
	IdleCycles, TotalCycles uint64
}

var stats Stats

func firmware() {
	stats = Stats{}
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	led, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
	check(err)
	in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
	check(err)
	con := console.New(u)
	con.S("button: waiting for ").D(presses).S(" presses of the button on GPIO").D(buttonPin).NL()

	btn := in.IntoAsync() // binds the GPIO interrupt on this core; in is consumed
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	_, err = async.Spawn(ex.Spawner(), &pressTask{btn: btn, led: led, con: con})
	check(err)
	ex.Run() // returns when the task has seen its presses
	stats.IdleCycles, stats.TotalCycles = ex.IdleCycles()

	con.S("button: done after ").D(int64(stats.Presses)).S(" presses").NL()
	u.Flush()
	// Give everything back, so a test can run the firmware again.
	ex.Close()
	systimer.Stop()
	btn.Close()
	led.Close()
	u.Close()
}

// pressTask counts presses. It is a state machine, polled by the executor: each state
// holds the future it waits on.
type pressTask struct {
	btn *gpio.AsyncInput
	led *gpio.Output
	con *console.Console

	state int
	edge  gpio.WaitFuture
	timer async.Timer
}

const (
	stArm = iota
	stPressed
	stSettlePress
	stReleased
	stSettleRelease
)

func (t *pressTask) Poll(cx *async.Context) bool {
	for {
		switch t.state {
		case stArm:
			t.edge = t.btn.WaitForFallingEdge()
			t.state = stPressed
		case stPressed:
			if _, ok := t.edge.Poll(cx); !ok {
				return false // the GPIO interrupt wakes us
			}
			now := systimer.Now()
			stats.Resumed[stats.Presses] = now
			stats.Presses++
			t.led.Toggle()
			t.con.S("press ").D(int64(stats.Presses)).S(" at ").D(int64(now) / 1000).S(" ms").NL()
			t.timer = async.After(settle)
			t.state = stSettlePress
		case stSettlePress:
			if _, ok := t.timer.Poll(cx); !ok {
				return false
			}
			t.edge = t.btn.WaitForHigh()
			t.state = stReleased
		case stReleased:
			if _, ok := t.edge.Poll(cx); !ok {
				return false
			}
			t.timer = async.After(settle)
			t.state = stSettleRelease
		case stSettleRelease:
			if _, ok := t.timer.Poll(cx); !ok {
				return false
			}
			if stats.Presses == presses {
				return true
			}
			t.state = stArm
		}
	}
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
