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

// lines splits UART0's output into lines, each with the virtual time its first byte began
// on the wire.
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

func TestTickerOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))
	text, at := lines(c.UART(0).TX())
	require.Len(t, text, ticks+2, "UART0 said:\n%s", strings.Join(text, "\n"))

	m := regexp.MustCompile(`^ticker: start at (\d+) us; a tick every 250 ms, 8 ticks$`).FindStringSubmatch(text[0])
	require.NotNil(t, m, text[0])
	startUs, _ := strconv.Atoi(m[1])
	start := time.Duration(startUs) * time.Microsecond

	tickLine := regexp.MustCompile(`^tick (\d+): deadline start \+ (\d+) ms, polled (\d+) us after it, then (\d+) ms of work$`)
	for k := 1; k <= ticks; k++ {
		m := tickLine.FindStringSubmatch(text[k])
		require.NotNil(t, m, text[k])
		require.Equal(t, strconv.Itoa(k), m[1])
		require.Equal(t, strconv.Itoa(k*250), m[2], "deadlines are start + k × period")
		late, _ := strconv.Atoi(m[3])
		require.Less(t, late, 10)
		// On the virtual clock: the line leaves UART0 right at its deadline, whatever work
		// the ticks before it did.
		due := start + time.Duration(k)*250*time.Millisecond
		require.GreaterOrEqual(t, at[k], due)
		require.Less(t, at[k], due+100*time.Microsecond, "tick %d printed %v after its deadline", k, at[k]-due)
	}
	m = regexp.MustCompile(`^ticker: done at \d+ us; tick 8 was due at start \+ 2000 ms = 8 x 250 ms: no drift; idle (\d+)\.\d% of the time$`).FindStringSubmatch(text[ticks+1])
	require.NotNil(t, m, text[ticks+1])
	idle, _ := strconv.Atoi(m[1])
	require.GreaterOrEqual(t, idle, 95, "60 ms of work in 2 s: the rest is WFI")
}
