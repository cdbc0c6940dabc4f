//go:build !tinygo && go1.25

package simrun

import (
	"testing"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// RunInBubble is Run for go test with Go's clock made virtual: the firmware runs through
// sim.Chip.RunInBubble, inside a testing/synctest bubble, so time.Sleep, time.Now and
// time.Since in the firmware (directly or in an unmodified driver) follow virtual time.
// The firmware must not leave goroutines of its own blocked when it returns.
func RunInBubble(t *testing.T, firmware func(), o Options) (*Result, error) {
	return run(o, func(c *sim.Chip) error { return c.RunInBubble(t, firmware) })
}
