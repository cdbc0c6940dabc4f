//go:build !tinygo

package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/sim/simrun"
)

// TestPictures is `go run ./examples/blinky -vcd blinky.vcd -trace blinky.json`: the VCD
// shows GPIO8 toggling every 500 ms, and the trace is trace-event JSON with the alarm
// interrupts in it.
func TestPictures(t *testing.T) {
	var vcd, trace bytes.Buffer
	_, err := simrun.Run(firmware, simrun.Options{VCD: &vcd, Trace: &trace})
	require.NoError(t, err)

	// The VCD: one wire, GPIO8, then its changes after the timestamps.
	id := ""
	var at int64 = -1
	var toggles []int64
	for _, line := range strings.Split(vcd.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "$var"):
			f := strings.Fields(line)
			require.Equal(t, "GPIO8", f[4], line)
			id = f[3]
		case strings.HasPrefix(line, "#"):
			n, err := strconv.ParseInt(line[1:], 10, 64)
			require.NoError(t, err)
			require.Greater(t, n, at)
			at = n
		case id != "" && at > int64(time.Millisecond) && strings.HasSuffix(line, id) && len(line) == 1+len(id):
			toggles = append(toggles, at)
		}
	}
	require.Len(t, toggles, blinks, "%v", toggles)
	for i := 1; i < len(toggles); i++ {
		assert.Equal(t, int64(halfPeriod*time.Millisecond), toggles[i]-toggles[i-1])
	}

	var f struct {
		TraceEvents []struct {
			Name string  `json:"name"`
			Ph   string  `json:"ph"`
			Ts   float64 `json:"ts"`
		} `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal(trace.Bytes(), &f))
	alarms := 0
	for _, e := range f.TraceEvents {
		if e.Ph == "i" && e.Name == "SYSTIMER alarm 0" {
			alarms++
		}
	}
	assert.Equal(t, blinks, alarms)
}
