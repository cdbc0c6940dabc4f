// Command servo drives a hobby servo from the LEDC: a 50 Hz PWM on GPIO4 whose pulse
// sweeps from 1 ms (0°) to 2 ms (180°) in 45° steps, each step a hardware fade of half a
// second that a straight-line task awaits (the LEDC's DUTY_CHNG_END interrupt wakes it; the
// core sleeps in between), with 200 ms holds at 0° and after each step.
//
//	go run ./examples/servo                        # on the simulator: the pulse widths
//	                                               # measured on GPIO4 are printed at the end
//	go run ./examples/servo -vcd servo.vcd         # and GPIO4's waveform for GTKWave
//	tinygo build -target=esp32c3 ./examples/servo  # for the chip
//
// main hands firmware to start, which start_tinygo.go runs on the chip and start_host.go
// hands to the simulator.
package main

import (
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/ledc"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	servoPin = 4                      // the servo's signal wire
	minPulse = time.Millisecond       // 0°
	maxPulse = 2 * time.Millisecond   // 180°
	stepDeg  = 45                     // degrees per fade
	fadeTime = 500 * time.Millisecond // each fade
	holdTime = 200 * async.Millisecond
)

// pulseFor returns the pulse width for angle degrees (0..180).
func pulseFor(angle int) time.Duration {
	return minPulse + (maxPulse-minPulse)*time.Duration(angle)/180
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	tm, err := ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 50, Resolution: 14})
	check(err)
	ch, err := ledc.NewChannel(p.LEDC0, tm, p.GPIO4, ledc.ChannelConfig{Duty: tm.DutyFor(minPulse)})
	check(err)
	check(ch.WaitFade()) // the first pulse goes out at the next period
	con.S("servo: ").D(int64(tm.Frequency())).S(" Hz, ").D(int64(tm.Resolution())).S("-bit duty on GPIO").D(servoPin).
		S(", 0 deg = ").D(int64(tm.DutyFor(minPulse))).S(" steps").NL()
	ac := ch.IntoAsync()
	ot, err := timer.NewOneShot(p.TIMG1, timer.Config{})
	check(err)
	hold := ot.IntoAsync()

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
		check(hold.AwaitDelay(t, holdTime)) // at 0° first
		for angle := stepDeg; angle <= 180; angle += stepDeg {
			w := pulseFor(angle)
			start := async.Now()
			check(ac.AwaitFade(t, tm.DutyFor(w), fadeTime))
			con.S("servo: ").D(int64(angle)).S(" deg (").D(int64(w / time.Microsecond)).S(" us pulse) after a ").
				D(async.Now().Sub(start).Millis()).S(" ms fade").NL()
			check(hold.AwaitDelay(t, holdTime))
		}
	}))
	check(err)
	ex.Run()
	con.S("servo: sweep done").NL()
	u.Flush()
	ex.Close()
	hold.Close()
	ac.Close()
	tm.Close()
	systimer.Stop()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
