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

func TestProdConsOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))
	out := strings.TrimSpace(strings.ReplaceAll(string(c.UART(0).TXBytes()), "\r\n", "\n"))
	text := strings.Split(out, "\n")
	require.Equal(t, "prodcons: a sample every 10 ms, a consumer slow on every 4th, over a Channel of 3", text[0])

	consumed := regexp.MustCompile(`^consumer: sample #(\d+) made at (\d+) ms, taken at (\d+) ms, (\d) more queued$`)
	full := regexp.MustCompile(`^producer: channel full at (\d+) ms, sample #(\d+) waits for room$`)
	seq, waits, lastTaken := 0, 0, 0
	slowUntil := 0 // the consumer's slow work ends here
	for _, l := range text[1 : len(text)-1] {
		if m := full.FindStringSubmatch(l); m != nil {
			waits++
			continue
		}
		m := consumed.FindStringSubmatch(l)
		require.NotNil(t, m, "unexpected line %q in:\n%s", l, out)
		n, _ := strconv.Atoi(m[1])
		made, _ := strconv.Atoi(m[2])
		taken, _ := strconv.Atoi(m[3])
		queued, _ := strconv.Atoi(m[4])
		seq++
		require.Equal(t, seq, n, "samples come out in order, none lost")
		require.Equal(t, 10*n, made, "made on the producer's 10 ms ticks")
		require.GreaterOrEqual(t, taken, made)
		require.GreaterOrEqual(t, taken, lastTaken)
		require.GreaterOrEqual(t, taken, slowUntil, "the consumer was busy with a slow sample")
		require.LessOrEqual(t, queued, 2, "at most the channel's capacity, minus the one just taken")
		if n%4 == 0 {
			slowUntil = taken + 55
		}
		lastTaken = taken
	}
	require.Equal(t, samples, seq)
	require.Positive(t, waits, "the producer met backpressure")
	require.Equal(t, "prodcons: 16 of 16 samples consumed, in order; the producer waited for room "+strconv.Itoa(waits)+" times; idle",
		text[len(text)-1][:len("prodcons: 16 of 16 samples consumed, in order; the producer waited for room ")+len(strconv.Itoa(waits))+len(" times; idle")])
	// On the virtual clock: three slow samples of 55 ms each hold the run up; it is over in
	// about 0.25 s, and the simulator got there without spinning through it.
	require.Greater(t, c.Now(), 3*55*time.Millisecond)
	require.Less(t, c.Now(), 300*time.Millisecond)
}
