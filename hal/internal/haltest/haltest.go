//go:build !tinygo

// Package haltest holds what the drivers' tests share: booting firmware on a fresh
// simulated chip after hal.Init, and the small helpers around it. Host only; firmware
// never imports it.
package haltest

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/systimer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// Timeout is how much virtual time a Run may take (sim.Timeout), unless opts say otherwise.
const Timeout = time.Minute

// Run builds a fresh simulated chip (its log discarded), lets setup attach devices or drive
// pads before anything runs (nil: nothing), then runs firmware after hal.Init with the
// chip and the peripherals, and fails t if the run or hal.Init fails. It resets hal's
// software state before and after (hal.ResetForTest) and stops the time driver when the
// firmware returns. opts come after the defaults, so they can override them.
func Run(t testing.TB, setup func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals), opts ...sim.Option) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(append([]sim.Option{sim.Log(io.Discard), sim.Timeout(Timeout)}, opts...)...)
	if setup != nil {
		setup(c)
	}
	var initErr error
	err := c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			initErr = err
			return
		}
		firmware(c, p)
	})
	require.NoError(t, err)
	require.NoError(t, initErr)
	return c
}

// Must returns v, or panics with err: inside firmware a panic ends the run with the error,
// where require's FailNow must not run (it would stop a simulator goroutine).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// PanicMessage returns the string f panics with: "" if it does not panic, "non-string
// panic" if it panics with something else.
func PanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			var ok bool
			if msg, ok = r.(string); !ok || msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
