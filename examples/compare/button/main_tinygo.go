//go:build tinygo

// Command button (compare) is examples/button written against TinyGo's own machine package,
// for the size comparison: the same three debounced presses of the button on GPIO9 printed
// on the serial console, the LED on GPIO8 toggled on each. TinyGo's GPIO interrupt calls
// back in interrupt context (Pin.SetInterrupt); the callback signals the main goroutine
// over a channel, which then debounces with time.Sleep and polls the pin for the release.
//
//	tinygo build -target=esp32c3 -size short ./examples/compare/button
package main

import (
	"machine"
	"time"
)

const (
	presses = 3
	settle  = 20 * time.Millisecond
)

func main() {
	led := machine.GPIO8
	led.Configure(machine.PinConfig{Mode: machine.PinOutput})
	led.Low()
	btn := machine.GPIO9
	btn.Configure(machine.PinConfig{Mode: machine.PinInputPullup})

	pressed := make(chan struct{}, 1)
	err := btn.SetInterrupt(machine.PinFalling, func(machine.Pin) {
		select {
		case pressed <- struct{}{}: // a non-blocking send is allowed in an interrupt
		default:
		}
	})
	if err != nil {
		println("button:", err.Error())
		return
	}
	println("button: waiting for", presses, "presses of the button on GPIO9")
	start := time.Now()
	for n := 1; n <= presses; n++ {
		<-pressed
		println("press", n, "at", time.Since(start).Milliseconds(), "ms")
		led.Set(!led.Get())
		time.Sleep(settle)
		for !btn.Get() { // wait for the release
			time.Sleep(time.Millisecond)
		}
		time.Sleep(settle)
		select { // forget the bounces' edges
		case <-pressed:
		default:
		}
	}
	println("button: done after", presses, "presses")
}
