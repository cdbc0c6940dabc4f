package esp32c3

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// Run runs firmware as the core's thread-mode code and returns when it returns (nil; the
// UARTs then finish sending what is in their TX FIFOs), when
// it panics (a *host.PanicError with the virtual time), when Stop is called, when the
// Timeout is reached (ErrTimeout) or when it waits for an interrupt nothing will raise
// (ErrIdle). The chip is closed afterwards; its models keep their state for inspection.
func (c *Chip) Run(firmware func()) error {
	if c.closed.Load() {
		return errors.New("esp32c3: Run on a closed chip")
	}
	defer c.Close()
	err := c.m.Run(firmware)
	if err == nil {
		c.drainTX()
	}
	return err
}

// maxDrain bounds how long drainTX lets transmitters run after the firmware returned.
const maxDrain = time.Second

// drainTX lets the UARTs finish sending what the firmware left in their TX FIFOs when its
// main returned, as the hardware would: the last line of output is not lost because the
// firmware did not wait for the transmitter to empty.
func (c *Chip) drainTX() {
	busy := func() bool {
		c.Lock()
		defer c.Unlock()
		for _, u := range c.periph.uart {
			if u != nil && (u.txActive || u.tx.n > 0) {
				return true
			}
		}
		return false
	}
	for end := c.Now() + maxDrain; busy() && c.Now() < end; {
		c.Advance(10 * time.Microsecond)
	}
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
