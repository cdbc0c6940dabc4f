//go:build !tinygo

package main

import (
	"strings"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete, a summary to standard error. The
// outside world answers the firmware's request for input on UART0.
func start(firmware func()) { simrun.Main(firmware, simrun.Options{Setup: answerPrompt}) }

// prompt begins the line after which the firmware measures UART0 RX interrupts.
const prompt = "latency: send bytes to UART0 RX"

// answerPrompt sends one byte on UART0 RX right after the prompt line has been sent, as
// make qemu-c3 does on Espressif's QEMU.
func answerPrompt(c *sim.Chip) {
	var line strings.Builder
	c.UART(0).Reply(func(b sim.TimedByte) []byte {
		if b.Byte != '\n' {
			line.WriteByte(b.Byte)
			return nil
		}
		done := strings.HasPrefix(line.String(), prompt)
		line.Reset()
		if done {
			return []byte{'x'}
		}
		return nil
	})
}
