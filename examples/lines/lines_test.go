//go:build !tinygo

package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs the firmware with pieces typed into UART0 at the given virtual times and returns
// its transcript and the chip.
func run(t *testing.T, at []time.Duration, pieces ...string) (string, *sim.Chip) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	for i, p := range pieces {
		c.UART(0).FeedAt(at[i], []byte(p)...)
	}
	require.NoError(t, c.Run(firmware))
	return string(c.UART(0).TXBytes()), c
}

func TestLinesAreAnsweredInOrderAndTheEOTEndsBothTasks(t *testing.T) {
	out, c := run(t, []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond},
		"hello\n", "straight-line tasks\r\n", "\x04")
	assert.Equal(t, "lines: send lines, Ctrl-D to stop\r\n1: hello\r\n2: straight-line tasks\r\nlines: 2 answered; bye\r\n", out)
	assert.Less(t, c.Now(), 70*time.Millisecond, "the tasks finished soon after the EOT")
}

// A burst of lines faster than the writer answers them: the channel (two slots) fills,
// the reader waits in AwaitSend, and no line is lost or reordered; a line longer than 32
// bytes goes in 32-byte pieces, and an unfinished line before the EOT is answered too.
func TestABurstFillsTheChannelAndLosesNothing(t *testing.T) {
	var in strings.Builder
	var want strings.Builder
	want.WriteString("lines: send lines, Ctrl-D to stop\r\n")
	for i := 1; i <= 9; i++ {
		in.WriteString("line " + string(rune('0'+i)) + "\n")
		want.WriteString(string(rune('0'+i)) + ": line " + string(rune('0'+i)) + "\r\n")
	}
	in.WriteString("0123456789012345678901234567890123456789\x04")
	want.WriteString("10: 01234567890123456789012345678901\r\n11: 23456789\r\nlines: 11 answered; bye\r\n")
	out, _ := run(t, []time.Duration{10 * time.Millisecond}, in.String())
	assert.Equal(t, want.String(), out)
}
