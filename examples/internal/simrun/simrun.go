//go:build !tinygo

// Package simrun is the examples' former host runner, kept only until the last example
// still importing it moves to the public runner, github.com/gohal/gohal/sim/simrun (Main);
// new code uses that.
//
// Deprecated: use github.com/gohal/gohal/sim/simrun.
package simrun

import (
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// Options tailor a run; the zero value is a plain run.
type Options struct {
	// Chip builds the simulated chip; nil is sim.New. Deprecated: attach devices in Setup.
	Chip func(opts ...sim.Option) *sim.Chip
	// Setup drives the outside world before the firmware starts.
	Setup func(c *sim.Chip)
	// FeedStdin makes -realtime also feed what is typed, a line at a time, into UART0 RX.
	FeedStdin bool
	// Summary, if set, returns what the closing line says before the time figures.
	Summary func(c *sim.Chip) string
}

// Run is simrun.Main with o translated.
func Run(firmware func(), o Options) {
	var p simrun.Options
	p.Setup = o.Setup
	if o.FeedStdin {
		p.Stdin = simrun.StdinRealTime
	}
	if o.Chip != nil {
		panic("examples/internal/simrun: Options.Chip is gone; attach devices in Setup")
	}
	if o.Summary != nil {
		p.Summary = func(r *simrun.Result) string { return o.Summary(r.Chip) }
	}
	simrun.Main(firmware, p)
}
