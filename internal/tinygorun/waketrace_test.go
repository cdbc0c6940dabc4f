package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A synthetic QEMU -d exec log: two windows from the wake marker's return to the poll
// marker's entry, counted by function in order of first execution; the markers' own
// instructions and what runs outside a window are not counted.
func TestTraceWindowsCountsInstructionsBetweenTheMarkers(t *testing.T) {
	fns := []function{
		{"main.wakeMarker", 0x100, 4},
		{"async.wake", 0x200, 0x40},
		{"gohalTrap", 0x300, 0x40},
		{"main.pollMarker", 0x400, 4},
	}
	line := func(pc string) string {
		return "Trace 0: 0x7f00 [00000000/00000000" + pc + "/07014003/ff022201] \n"
	}
	log := line("00000200") + // before any window
		line("00000100") + line("00000102") + // the wake marker
		line("00000200") + line("00000204") + line("00000300") + line("00000208") +
		line("00000400") + // the poll marker: window 1 ends
		line("00000300") + // between windows
		line("00000100") + line("00000300") + line("00000400")
	windows, err := traceWindows(strings.NewReader(log), fns, "main.wakeMarker", "main.pollMarker", false)
	require.NoError(t, err)
	require.Len(t, windows, 2)
	assert.Equal(t, traceWindow{total: 4, parts: []tracePart{{"async.wake", 3}, {"gohalTrap", 1}}}, windows[0])
	assert.Equal(t, traceWindow{total: 1, parts: []tracePart{{"gohalTrap", 1}}}, windows[1])

	_, err = traceWindows(strings.NewReader(log), fns, "main.wakeMarker", "main.nothing", false)
	assert.ErrorContains(t, err, "main.nothing")

	// From a trap entry instead (countFrom): a window starts at each entry and counts the
	// entry's own instructions; the last entry before the poll marker is the one counted.
	windows, err = traceWindows(strings.NewReader(log), fns, "gohalTrap", "main.pollMarker", true)
	require.NoError(t, err)
	require.Len(t, windows, 2)
	assert.Equal(t, traceWindow{total: 2, parts: []tracePart{{"gohalTrap", 1}, {"async.wake", 1}}}, windows[0])
	assert.Equal(t, traceWindow{total: 1, parts: []tracePart{{"gohalTrap", 1}}}, windows[1])
}

// runUntil stops a command once it printed the marker, reports one that ended without it
// and one that stayed silent past the limit, and never hangs doing so.
func TestRunUntilStopsOnTheMarkerAndReportsTheRest(t *testing.T) {
	start := time.Now()
	require.NoError(t, runUntil("sh", []string{"-c", "echo booting; echo 'waketrace: done'; sleep 30"}, "waketrace: done", 20*time.Second))
	assert.Less(t, time.Since(start), 10*time.Second, "stopped at the marker, not at the command's end")

	err := runUntil("sh", []string{"-c", "echo booting; echo panic: boom"}, "waketrace: done", 20*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panic: boom", "the output is in the error")

	err = runUntil("sh", []string{"-c", "sleep 30"}, "waketrace: done", 200*time.Millisecond)
	assert.ErrorContains(t, err, "did not print")
}
