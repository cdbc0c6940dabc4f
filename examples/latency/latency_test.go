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

func TestLatencyReportsEveryPathOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	answerPrompt(c)
	require.NoError(t, c.Run(firmware))
	var out strings.Builder
	for _, b := range c.UART(0).TX() {
		out.WriteByte(b.Byte)
	}
	text := strings.Split(strings.TrimSpace(strings.ReplaceAll(out.String(), "\r", "")), "\n")
	require.Len(t, text, 14, "UART0 said:\n%s", out.String())
	require.Equal(t, "latency: 32 samples each, SYSTIMER ticks of 62.5 ns", text[0])
	require.Equal(t, "latency: send bytes to UART0 RX within 1 s to measure its interrupt", text[11])
	m := regexp.MustCompile(`^UART0 RX interrupt -> reading task polled, thread executor in WFI: min/avg/max (\d+)/(\d+)/(\d+) CPU cycles \(rt.Cycles\), 1 sample$`).FindStringSubmatch(text[12])
	require.NotNil(t, m, text[12])
	cycles, _ := strconv.Atoi(m[1])
	require.Positive(t, cycles)
	require.Less(t, cycles, 10_000, "the byte's interrupt woke the task at once")
	require.Equal(t, "latency: done", text[13])

	exact := regexp.MustCompile(`^exact: (.+): min/avg/max (\d+)/(\d+)/(\d+) CPU cycles \(rt.Cycles\), 32 samples$`)
	for i, what := range []string{
		"Waker.Wake() in a handler -> Poll, thread executor awake",
		"Waker.Wake() in a handler -> Poll, thread executor in WFI",
		"interrupt trap -> Poll of the task its handler woke, thread executor in WFI",
		"SYSTIMER alarm trap -> timer task's Poll, thread executor in WFI",
	} {
		m := exact.FindStringSubmatch(text[7+i])
		require.NotNil(t, m, text[7+i])
		require.Equal(t, what, m[1])
		lo, _ := strconv.Atoi(m[2])
		hi, _ := strconv.Atoi(m[4])
		require.LessOrEqual(t, lo, hi, text[7+i])
		require.Less(t, hi, 100_000, "every sample was woken, none missed: %s", text[7+i])
	}

	line := regexp.MustCompile(`^(.+): min/avg/max (\d+)/(\d+)/(\d+) ns = (\d+)/(\d+)/(\d+) instructions at 8 ns, (\d+) samples?$`)
	want := []string{
		"one SYSTIMER reading (part of each figure below)",
		"SYSTIMER alarm -> timer task polled, thread executor in WFI",
		"SYSTIMER alarm -> timer task polled, interrupt executor (priority 2)",
		"1000 timers due at once -> first task polled, interrupt executor (priority 2)",
		"1000 timers due at once -> last task polled, interrupt executor (priority 2)",
		"Waker.Wake() in a handler -> task polled, thread executor awake",
	}
	for i, what := range want {
		m := line.FindStringSubmatch(text[i+1])
		require.NotNil(t, m, text[i+1])
		require.Equal(t, what, m[1])
		n := make([]int, 8)
		for k := 2; k <= 8; k++ {
			n[k-1], _ = strconv.Atoi(m[k])
		}
		require.True(t, n[1] <= n[2] && n[2] <= n[3], "min <= avg <= max: %s", text[i+1])
		require.Equal(t, n[1]/8, n[4], "instructions are nanoseconds / 8")
		// The simulator charges register accesses only: every path is a few of them, well
		// under the 2 ms between samples (a path that missed its wake would show that).
		if strings.HasPrefix(what, "1000 timers") {
			// The last of the crowd waits for the 1,000 pops before it: a few hundred
			// microseconds of simulated accesses, well under the 5 ms the crowd was armed
			// ahead.
			require.Less(t, n[3], 2_000_000, text[i+1])
			require.Equal(t, 1, n[7], text[i+1])
		} else {
			require.Less(t, n[3], 100_000, text[i+1])
			require.Equal(t, 32, n[7], text[i+1])
		}
	}
}
