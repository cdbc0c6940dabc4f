package esp32c3

import (
	"errors"
	"fmt"
	"os"

	"github.com/gohal/gohal/rt/mmio"
)

// Run runs firmware as the core's thread-mode code and returns when it returns (nil), when
// it panics (a *host.PanicError with the virtual time), when Stop is called, when the
// Timeout is reached (ErrTimeout) or when it waits for an interrupt nothing will raise
// (ErrIdle). The chip is closed afterwards; its models keep their state for inspection.
func (c *Chip) Run(firmware func()) error {
	if c.closed.Load() {
		return errors.New("esp32c3: Run on a closed chip")
	}
	defer c.Close()
	return c.m.Run(firmware)
}

// Stop ends a run from a model, a test hook or an event: Run returns err.
func (c *Chip) Stop(err error) { c.m.Stop(err) }

// Close unhooks the chip's models from the bus. Run closes the chip by itself.
func (c *Chip) Close() {
	if c.closed.Swap(true) {
		return
	}
	for _, u := range c.unhooks {
		u()
	}
	mmio.SetObserver(nil)
	live.CompareAndSwap(c, nil)
}

// Run simulates firmware on a new chip built with opts, for a main package's host build:
// it returns when the firmware's main returns, and on any failure prints it and exits with
// status 1.
func Run(firmware func(), opts ...Option) {
	if err := New(opts...).Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "esp32c3 simulator:", err)
		os.Exit(1)
	}
}
