//go:build !tinygo

package simrun

import (
	"sort"
	"sync"
	"time"

	"github.com/gohal/gohal/async"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TaskStats are one task's figures over a run, from every poll the executors made (package
// async tells the runner of each poll on the host: async.SetPollObserver). Times are
// virtual: what the simulated core was charged between the poll's start and end.
type TaskStats struct {
	Executor string // the executor's name (Options.Name of hal/executor)
	Task     string // the name it was spawned under (SpawnNamed), "" for Spawn
	Slot     int    // its slot in the executor's table
	Polls    int
	// Busy is the total virtual time of its polls, Longest the longest one.
	Busy, Longest time.Duration
	// Done says the task finished (its last poll returned true).
	Done bool
}

// taskKey identifies a task across the run. A slot freed and reused by another task of the
// same name is counted with it.
type taskKey struct {
	exec, task string
	slot       int
}

// pollSpan is one poll, for the trace.
type pollSpan struct {
	key        taskKey
	start, end time.Duration
}

// taskRecorder is the run's async.PollObserver.
type taskRecorder struct {
	c       *sim.Chip
	tracing bool
	limit   int

	mu      sync.Mutex
	open    map[taskKey]time.Duration // polls in progress: their start
	stats   map[taskKey]*TaskStats
	order   []taskKey
	spans   []pollSpan
	dropped int
}

func newTaskRecorder(c *sim.Chip, tracing bool, limit int) *taskRecorder {
	return &taskRecorder{c: c, tracing: tracing, limit: limit,
		open: map[taskKey]time.Duration{}, stats: map[taskKey]*TaskStats{}}
}

func (r *taskRecorder) PollStart(exec, task string, slot int) {
	r.c.Machine().Settle() // measured CPU time: the executor's work so far is not the task's
	now := r.c.Now()
	r.mu.Lock()
	r.open[taskKey{exec, task, slot}] = now
	r.mu.Unlock()
}

func (r *taskRecorder) PollEnd(exec, task string, slot int, done bool) {
	r.c.Machine().Settle() // measured CPU time: the poll's computation since its last access
	now := r.c.Now()
	k := taskKey{exec, task, slot}
	r.mu.Lock()
	defer r.mu.Unlock()
	start, ok := r.open[k]
	if !ok {
		return
	}
	delete(r.open, k)
	st := r.stats[k]
	if st == nil {
		st = &TaskStats{Executor: exec, Task: task, Slot: slot}
		r.stats[k] = st
		r.order = append(r.order, k)
	}
	d := now - start
	st.Polls++
	st.Busy += d
	st.Longest = max(st.Longest, d)
	st.Done = done
	if r.tracing {
		if len(r.spans) < r.limit {
			r.spans = append(r.spans, pollSpan{k, start, now})
		} else {
			r.dropped++
		}
	}
}

// results returns the tasks' figures in the order they were first polled.
func (r *taskRecorder) results() []TaskStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]TaskStats, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, *r.stats[k])
	}
	return out
}

// traceEvents returns the polls as complete ("X") events, one track per executor, and
// the tracks' names.
func (r *taskRecorder) traceEvents() ([]TraceEvent, map[int]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	execs := map[string]int{}
	var names []string
	for _, s := range r.spans {
		if _, ok := execs[s.key.exec]; !ok {
			execs[s.key.exec] = 0
			names = append(names, s.key.exec)
		}
	}
	sort.Strings(names)
	tracks := map[int]string{}
	for i, n := range names {
		execs[n] = tidTasks + i
		label := n
		if label == "" {
			label = "(unnamed)"
		}
		tracks[tidTasks+i] = "tasks of executor " + label
	}
	ev := make([]TraceEvent, 0, len(r.spans))
	for _, s := range r.spans {
		d := us(s.end - s.start)
		name := s.key.task
		if name == "" {
			name = "task"
		}
		ev = append(ev, TraceEvent{Name: name, Cat: "poll", Ph: "X", Ts: us(s.start), Dur: &d,
			Pid: tracePid, Tid: execs[s.key.exec], Args: map[string]any{"slot": s.key.slot}})
	}
	return ev, tracks
}

// observe installs r as the process's poll observer and returns the function that removes
// it. Only one chip runs at a time in a process, so one observer serves.
func (r *taskRecorder) observe() func() {
	prev := async.SetPollObserver(r)
	return func() { async.SetPollObserver(prev) }
}
