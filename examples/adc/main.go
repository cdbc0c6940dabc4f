// Command adc reads a potentiometer on GPIO2 (ADC1 channel 2, 11 dB: about 0..2.5 V) ten
// times a second for a second and prints the calibrated millivolts with the raw code. A
// straight-line task awaits each conversion (the APB_ADC interrupt wakes it) and the gap
// between readings (a TIMG1 alarm); the core sleeps in between.
//
//	go run ./examples/adc                        # on the simulator, where the host turns
//	                                             # the potentiometer from 0 to 2.5 V in 1 s
//	tinygo build -target=esp32c3 ./examples/adc  # for the chip
//
// main hands firmware to start, which start_tinygo.go runs on the chip and start_host.go
// hands to the simulator.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/adc"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	potPin   = 2 // the potentiometer's wiper
	readings = 11
	interval = 100 * async.Millisecond
)

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	a, err := adc.New(p.ADC1, adc.Config{})
	check(err)
	pot, err := a.Enable(p.GPIO2, adc.Atten11dB)
	check(err)
	con.S("adc: potentiometer on GPIO").D(potPin).S(" (ADC1 channel ").D(int64(pot.Number())).S(", ").
		S(pot.Attenuation().String()).S(")")
	if pot.Calibrated() {
		con.S(", eFuse calibration")
	} else {
		con.S(", no eFuse calibration: nominal")
	}
	con.NL()
	aa := a.IntoAsync()
	ot, err := timer.NewOneShot(p.TIMG1, timer.Config{})
	check(err)
	tick := ot.IntoAsync()

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
		start := async.Now()
		for i := 0; i < readings; i++ {
			at := async.Now().Sub(start).Millis()
			raw, err := aa.AwaitRaw(t, pot)
			check(err)
			mv, err := aa.AwaitMillivolts(t, pot)
			check(err)
			con.S("adc: ").D(at).S(" ms: ").D(int64(mv)).S(" mV (raw ").D(int64(raw)).S(")").NL()
			check(tick.AwaitDelay(t, interval-async.Now().Sub(start)%interval))
		}
	}))
	check(err)
	ex.Run()
	con.S("adc: done").NL()
	u.Flush()
	ex.Close()
	tick.Close()
	aa.Close()
	systimer.Stop()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
