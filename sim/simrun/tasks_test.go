//go:build !tinygo

package simrun

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
)

// tasksFirmware runs two named tasks on a thread executor: "blink" toggles GPIO8 five times
// 10 ms apart, "count" yields 20 times.
func tasksFirmware() {
	p, err := hal.Init(hal.Config{})
	if err != nil {
		panic(err)
	}
	led, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
	if err != nil {
		panic(err)
	}
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	if err != nil {
		panic(err)
	}
	defer ex.Close()
	_, err = ex.Spawner().SpawnNamed("blink", async.Go(func(t *async.T) {
		for i := 0; i < 5; i++ {
			async.Sleep(t, 10*async.Millisecond)
			led.Toggle()
		}
	}), 0)
	if err != nil {
		panic(err)
	}
	_, err = ex.Spawner().SpawnNamed("count", async.Go(func(t *async.T) {
		for i := 0; i < 20; i++ {
			async.Yield(t)
		}
	}), 0)
	if err != nil {
		panic(err)
	}
	ex.Run()
}

func TestResultHasEveryTasksPolls(t *testing.T) {
	r, err := Run(tasksFirmware, Options{})
	require.NoError(t, err)
	byName := map[string]TaskStats{}
	for _, s := range r.Tasks {
		byName[s.Task] = s
	}
	require.Contains(t, byName, "blink")
	require.Contains(t, byName, "count")
	assert.Equal(t, "main", byName["blink"].Executor)
	assert.Equal(t, 6, byName["blink"].Polls, "the first poll and one per sleep")
	assert.Equal(t, 21, byName["count"].Polls, "the first poll and one per yield")
	assert.True(t, byName["blink"].Done && byName["count"].Done)
	assert.Positive(t, byName["blink"].Busy, "a poll that toggles a pad is charged its register accesses")
	assert.LessOrEqual(t, byName["blink"].Longest, byName["blink"].Busy)
}

func TestTraceHasTaskPolls(t *testing.T) {
	var buf bytes.Buffer
	_, err := Run(tasksFirmware, Options{Trace: &buf})
	require.NoError(t, err)
	var f TraceFile
	require.NoError(t, json.Unmarshal(buf.Bytes(), &f))
	polls := map[string]int{}
	track := ""
	for _, e := range f.TraceEvents {
		if e.Ph == "X" && e.Cat == "poll" {
			polls[e.Name]++
			require.NotNil(t, e.Dur)
			assert.GreaterOrEqual(t, *e.Dur, 0.0)
			assert.Equal(t, tidTasks, e.Tid)
		}
		if e.Ph == "M" && e.Name == "thread_name" && e.Tid == tidTasks {
			track, _ = e.Args["name"].(string)
		}
	}
	assert.Equal(t, map[string]int{"blink": 6, "count": 21}, polls)
	assert.Equal(t, "tasks of executor main", track)
}
