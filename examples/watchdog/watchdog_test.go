//go:build !tinygo

package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
)

// The example on the simulator: five feeds 100 ms apart, then the hang, and the system
// reset by MWDT0 250 ms after the last feed, which the host runner reports and treats as
// the expected end (exit status 0).
func TestWatchdogResetsTheHungFirmware(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var stdout, stderr bytes.Buffer
	status := runOnSimulator(firmware, &stdout, &stderr, false, false)
	require.Equal(t, 0, status, "stderr: %s", stderr.String())

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\r\n"), "\r\n")
	require.Equal(t, []string{
		"watchdog: reset cause POWERON_RESET",
		"watchdog: MWDT0 armed, 250 ms timeout, system reset",
		"feed 1 at 100 ms",
		"feed 2 at 200 ms",
		"feed 3 at 300 ms",
		"feed 4 at 400 ms",
		"feed 5 at 500 ms",
		"watchdog: hanging (no more feeds); the reset is due 250 ms after the last feed",
	}, lines)

	m := regexp.MustCompile(`^simulator: the chip reset at ([0-9.]+)ms: TG0WDT_SYS_RESET \(MWDT0 stage 0 expired\)\n$`).
		FindStringSubmatch(stderr.String())
	require.NotNil(t, m, "stderr: %q", stderr.String())
	ms, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	at := time.Duration(ms * float64(time.Millisecond))
	// The last feed lands just after 500 ms of SYSTIMER time from the start (a few register
	// accesses after hal.Init and the UART set-up): the reset comes 250 ms later.
	require.GreaterOrEqual(t, at, 750*time.Millisecond)
	require.Less(t, at, 751*time.Millisecond)
}

// A run that ends without the reset is a failure of the example.
func TestRunWithoutResetFails(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var stdout, stderr bytes.Buffer
	status := runOnSimulator(func() {}, &stdout, &stderr, false, false)
	require.Equal(t, 1, status)
	require.Contains(t, stderr.String(), "the firmware returned without the watchdog resetting the chip")
}
