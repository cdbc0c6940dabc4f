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

func TestPreemptOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))
	text, at := lines(c.UART(0).TX())
	out := strings.Join(text, "\n")
	require.Len(t, text, urgentTicks+3, "UART0 said:\n%s", out)
	require.Equal(t, "busy (thread mode): 60 ms of work without yielding, from 0 ms", text[0])
	done := regexp.MustCompile(`^busy \(thread mode\): done at 60 ms after (\d+) iterations$`).FindStringSubmatch(text[urgentTicks+1])
	require.NotNil(t, done, out)
	total, _ := strconv.Atoi(done[1])

	urgent := regexp.MustCompile(`^urgent \(priority 2\): tick (\d) due at (\d+) us, in the FROM_CPU_INTR0 handler: yes; busy task at iteration (\d+)$`)
	var first time.Duration
	prev := 0
	for k := 1; k <= urgentTicks; k++ {
		m := urgent.FindStringSubmatch(text[k])
		require.NotNil(t, m, out)
		dueUs, _ := strconv.Atoi(m[2])
		due := time.Duration(dueUs) * time.Microsecond
		if k == 1 {
			first = due
		}
		require.Equal(t, first+time.Duration(k-1)*10*time.Millisecond, due, "a tick every 10 ms")
		it, _ := strconv.Atoi(m[3])
		require.Greater(t, it, prev, "the busy task made progress between two preemptions")
		require.Less(t, it, total, "the urgent task ran in the middle of the busy loop")
		// Proportional: k × 10 ms into 60 ms of work.
		require.InDelta(t, float64(total)*float64(due)/float64(60*time.Millisecond), float64(it), float64(total)/100)
		prev = it
		// On the wire at its tick, while the thread task was still busy.
		require.GreaterOrEqual(t, at[k], due)
		require.Less(t, at[k], due+100*time.Microsecond)
		require.Less(t, at[k], at[urgentTicks+1])
	}
	require.Equal(t, "preempt: the priority-2 task ran 5 of 5 times in the middle of the busy task, which never yielded", text[urgentTicks+2])
}
