//go:build !tinygo

package main

import (
	"io"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func runFirmware(t *testing.T, setup func(c *sim.Chip)) (string, *sim.Chip) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	setup(c)
	require.NoError(t, c.Run(firmware))
	return string(c.UART(0).TXBytes()), c
}

var (
	startRe = regexp.MustCompile(`reading UART0 with a (\d+) ms timeout at t = (\d+)\.(\d{3}) ms`)
	endRe   = regexp.MustCompile(`timed out at t = (\d+)\.(\d{3}) ms, after (\d+) us; UART0 INT_ENA = (\d+)`)
)

func us(ms, frac string) int {
	a, _ := strconv.Atoi(ms)
	b, _ := strconv.Atoi(frac)
	return a*1000 + b
}

// TestTimeoutOnASilentUART: each read gives up at its deadline, in virtual time, to within
// the microsecond it takes to report, and leaves no UART interrupt source enabled.
func TestTimeoutOnASilentUART(t *testing.T) {
	out, c := runFirmware(t, func(*sim.Chip) {})
	starts, ends := startRe.FindAllStringSubmatch(out, -1), endRe.FindAllStringSubmatch(out, -1)
	require.Len(t, starts, 3, out)
	require.Len(t, ends, 3, out)
	for i, want := range []int{10, 100, 500} {
		assert.Equal(t, strconv.Itoa(want), starts[i][1])
		begin, end := us(starts[i][2], starts[i][3]), us(ends[i][1], ends[i][2])
		elapsed, _ := strconv.Atoi(ends[i][3])
		assert.GreaterOrEqual(t, elapsed, want*1000, "timed out early")
		assert.LessOrEqual(t, elapsed, want*1000+2, "timed out late")
		assert.InDelta(t, begin+want*1000, end, 2)
		assert.Equal(t, "0", ends[i][4], "the timeout cancelled the read: INT_ENA is 0")
	}
	t.Logf("\n%s", out)
	// The last line left the wire by the end of the run, at about 610 ms.
	assert.Less(t, c.Now(), 620*time.Millisecond)
}

// TestDataBeforeTheDeadline: a byte that arrives during the second read completes it (the
// RX timeout after the byte wakes it), and the deadline does not fire.
func TestDataBeforeTheDeadline(t *testing.T) {
	out, _ := runFirmware(t, func(c *sim.Chip) { c.UART(0).FeedAt(50*time.Millisecond, 'x') })
	require.Len(t, endRe.FindAllStringSubmatch(out, -1), 2, out)
	m := regexp.MustCompile(`got 1 bytes at t = (\d+)\.(\d{3}) ms`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	// The byte's stop bit ends 86.8 µs after 50 ms; the line then stays idle for the RX
	// timeout (10 frames, 868 µs).
	assert.InDelta(t, 50_000+87+868, us(m[1], m[2]), 3)
}
