//go:build !tinygo

package main

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func lines(tx []sim.TimedByte) (text []string, at []time.Duration) {
	var cur []byte
	var start time.Duration
	for _, b := range tx {
		if len(cur) == 0 {
			start = b.Start
		}
		if b.Byte == '\n' {
			text = append(text, strings.TrimSuffix(string(cur), "\r"))
			at = append(at, start)
			cur = cur[:0]
			continue
		}
		cur = append(cur, b.Byte)
	}
	return text, at
}

func runTimeout(t *testing.T, setup func(c *sim.Chip)) ([]string, []time.Duration) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	setup(c)
	require.NoError(t, c.Run(firmware))
	return lines(c.UART(0).TX())
}

func TestTimeoutOnASilentLine(t *testing.T) {
	text, at := runTimeout(t, func(*sim.Chip) {})
	out := strings.Join(text, "\n")
	require.Len(t, text, 11, out)
	require.Equal(t, "timeout: waiting on a Signal nobody signals, for 100 ms", text[0])
	require.Equal(t, "timeout: signal: timed out after 100 ms", text[1])
	waiting := regexp.MustCompile(`^round \d: waiting, UART0 INT_ENA = (0x[0-9a-f]+)$`)
	for r := 0; r < 3; r++ {
		i := 2 + 3*r
		n := strconv.Itoa(r + 1)
		require.Equal(t, "round "+n+": reading UART0 RX, up to 500 ms", text[i])
		m := waiting.FindStringSubmatch(text[i+1])
		require.NotNil(t, m, out)
		ena, err := strconv.ParseUint(m[1], 0, 32)
		require.NoError(t, err)
		require.NotZero(t, ena&(1<<0), "RXFIFO_FULL enabled while the read waits")
		require.NotZero(t, ena&(1<<8), "RXFIFO_TOUT enabled while the read waits")
		require.Equal(t, "round "+n+": timed out after 500 ms; the read was cancelled, UART0 INT_ENA = 0x0", text[i+2],
			"cancelled: its interrupt sources are disabled")
		// On the virtual clock: each timeout is reported right at its deadline, 500 ms after
		// the previous timeout (the lines in between are queued behind it on the wire).
		require.InDelta(t, float64(500*time.Millisecond), float64(at[i+2]-at[i-1]), float64(100*time.Microsecond))
	}
	require.InDelta(t, float64(100*time.Millisecond), float64(at[1]-at[0]), float64(100*time.Microsecond))
}

func TestTimeoutReadGetsAByteInTime(t *testing.T) {
	text, at := runTimeout(t, func(c *sim.Chip) {
		c.UART(0).FeedAt(700*time.Millisecond, 'x') // during round 2
	})
	out := strings.Join(text, "\n")
	require.Len(t, text, 11, out)
	require.Equal(t, "round 1: timed out after 500 ms; the read was cancelled, UART0 INT_ENA = 0x0", text[4])
	require.Regexp(t, regexp.MustCompile(`^round 2: got 'x' after (99|100) ms$`), text[7])
	// The byte's frame ends 700 ms + one frame (86.8 µs at 115200 baud); the line follows.
	require.InDelta(t, float64(700*time.Millisecond+87*time.Microsecond), float64(at[7]), float64(50*time.Microsecond))
	require.Equal(t, "round 3: timed out after 500 ms; the read was cancelled, UART0 INT_ENA = 0x0", text[10])
}
