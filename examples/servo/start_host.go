//go:build !tinygo

package main

import (
	"fmt"
	"strings"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line on standard output,
// and at the end, on standard error, the pulse widths measured on GPIO4's edges (the LEDC
// model emits them, EmitEdges) where the servo held still.
func start(firmware func()) {
	var w *sim.PinWatch
	simrun.Main(firmware, simrun.Options{
		Setup: func(c *sim.Chip) { w = setup(c) },
		Summary: func(r *simrun.Result) string {
			return "pulses on GPIO4: " + report(pulses(w.Edges()))
		},
	})
}

// setup turns the LEDC model's edges on and watches the servo pin.
func setup(c *sim.Chip) *sim.PinWatch {
	c.LEDC().EmitEdges(true)
	return c.GPIO().Watch(servoPin)
}

// pulse is one high pulse on the pin and the period from its rise to the next.
type pulse struct {
	at, width, period time.Duration
}

// pulses measures the complete pulses in edges.
func pulses(edges []sim.Edge) []pulse {
	var out []pulse
	for i := 0; i+2 < len(edges); i++ {
		if edges[i].Level && !edges[i+1].Level && edges[i+2].Level {
			out = append(out, pulse{edges[i].At, edges[i+1].At - edges[i].At, edges[i+2].At - edges[i].At})
		}
	}
	return out
}

// holds returns the widths the pulse held for at least 5 periods in a row (where the servo
// stood still), in order.
func holds(ps []pulse) []time.Duration {
	var out []time.Duration
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].width == ps[i].width {
			j++
		}
		if j-i >= 5 {
			out = append(out, ps[i].width)
		}
		i = j
	}
	return out
}

// report says how many pulses there were, their period and the held widths.
func report(ps []pulse) string {
	if len(ps) == 0 {
		return "none"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d, period %v, held at", len(ps), ps[len(ps)-1].period)
	for _, h := range holds(ps) {
		fmt.Fprintf(&b, " %.1f", float64(h)/float64(time.Microsecond))
	}
	b.WriteString(" µs")
	return b.String()
}
