//go:build !tinygo

package simrun

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TraceEvent is one event of the Chrome trace-event format (the "JSON Object Format" of
// Google's Trace Event Format document), as WriteTrace writes it.
type TraceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`            // B/E begin/end, X complete, i instant, C counter, M metadata
	Ts   float64        `json:"ts"`            // microseconds of virtual time
	Dur  *float64       `json:"dur,omitempty"` // for X
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"` // instant scope
	Args map[string]any `json:"args,omitempty"`
}

// TraceFile is the JSON object WriteTrace writes.
type TraceFile struct {
	TraceEvents     []TraceEvent   `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData,omitempty"`
}

// Trace tracks (tids) of the one process, the chip.
const (
	tracePid  = 1
	tidCore   = 1   // + core number
	tidSource = 100 // + interrupt source
	tidUART   = 200 // + UART number
	tidTimers = 300
	tidGPIO   = 400 // counters are the process's; they sort under this track
	tidTasks  = 500 // + executor, in name order
)

// WriteTrace writes r's recording, which Run made because Options.Trace was set, as a
// Chrome trace-event JSON file:
//
//   - a track per core with its WFI sleeps, its traps ("trap: CPU line n", nested by
//     depth) and, inside them, each interrupt source's handler as rt dispatches it;
//   - a track per interrupt source with the spans it was asserted (raised to cleared);
//   - a track of timer alarms (SYSTIMER targets, TIMG timers) as instants;
//   - a track per UART with each frame it sent, from start bit to stop bit;
//   - a counter per pad that changed level;
//   - a track per executor with each task poll, named by the task.
func WriteTrace(w io.Writer, r *Result) error { return writeTrace(w, r) }

func writeTrace(w io.Writer, r *Result) error {
	var ev []TraceEvent
	meta := func(tid int, name string) {
		ev = append(ev,
			TraceEvent{Name: "thread_name", Ph: "M", Pid: tracePid, Tid: tid, Args: map[string]any{"name": name}},
			TraceEvent{Name: "thread_sort_index", Ph: "M", Pid: tracePid, Tid: tid, Args: map[string]any{"sort_index": tid}})
	}
	ev = append(ev, TraceEvent{Name: "process_name", Ph: "M", Pid: tracePid, Args: map[string]any{"name": "ESP32-C3 (simulated)"}})
	end := us(r.Time)

	// Cores: B/E pairs, closed at the end if the run stopped inside one.
	cores := map[int]bool{}
	stacks := map[int][]string{}
	sources := map[int]bool{}
	srcOpen := map[int]bool{}
	timers := false
	var body []TraceEvent
	for _, e := range r.events {
		t := us(e.Time)
		switch e.Kind {
		case host.RecordSource:
			tid := tidSource + e.Arg
			sources[e.Arg] = true
			if e.Level && !srcOpen[e.Arg] {
				srcOpen[e.Arg] = true
				body = append(body, TraceEvent{Name: "asserted", Cat: "irq", Ph: "B", Ts: t, Pid: tracePid, Tid: tid})
				if name, ok := timerSources[sim.Source(e.Arg)]; ok {
					timers = true
					body = append(body, TraceEvent{Name: name, Cat: "timer", Ph: "i", S: "t", Ts: t, Pid: tracePid, Tid: tidTimers})
				}
			} else if !e.Level && srcOpen[e.Arg] {
				srcOpen[e.Arg] = false
				body = append(body, TraceEvent{Name: "asserted", Cat: "irq", Ph: "E", Ts: t, Pid: tracePid, Tid: tid})
			}
			continue
		}
		tid := tidCore + e.Core
		cores[e.Core] = true
		var name, cat string
		begin := true
		switch e.Kind {
		case host.RecordSleep:
			name, cat = "WFI", "wfi"
		case host.RecordWake:
			name, cat, begin = "WFI", "wfi", false
		case host.RecordTrapEnter:
			name, cat = fmt.Sprintf("trap: CPU line %d", e.Arg), "trap"
		case host.RecordTrapExit:
			name, cat, begin = fmt.Sprintf("trap: CPU line %d", e.Arg), "trap", false
		case host.RecordHandlerEnter:
			name, cat = "handler: "+sourceName(e.Arg), "handler"
		case host.RecordHandlerExit:
			name, cat, begin = "handler: "+sourceName(e.Arg), "handler", false
		default:
			continue
		}
		st := stacks[e.Core]
		if begin {
			te := TraceEvent{Name: name, Cat: cat, Ph: "B", Ts: t, Pid: tracePid, Tid: tid}
			if e.Kind == host.RecordTrapEnter {
				te.Args = map[string]any{"depth": e.Depth}
			}
			body = append(body, te)
			stacks[e.Core] = append(st, name)
			continue
		}
		// An end closes the innermost span of its name; spans opened inside it and never
		// closed (a handler that panicked) close with it.
		i := len(st) - 1
		for i >= 0 && st[i] != name {
			i--
		}
		if i < 0 {
			continue
		}
		for j := len(st) - 1; j >= i; j-- {
			body = append(body, TraceEvent{Name: st[j], Ph: "E", Ts: t, Pid: tracePid, Tid: tid})
		}
		stacks[e.Core] = st[:i]
	}
	for _, core := range sortedKeys(cores) {
		st := stacks[core]
		for j := len(st) - 1; j >= 0; j-- {
			body = append(body, TraceEvent{Name: st[j], Ph: "E", Ts: end, Pid: tracePid, Tid: tidCore + core})
		}
	}
	for _, src := range sortedKeys(srcOpen) {
		if srcOpen[src] {
			body = append(body, TraceEvent{Name: "asserted", Ph: "E", Ts: end, Pid: tracePid, Tid: tidSource + src})
		}
	}

	for i, frames := range r.frames {
		if len(frames) == 0 {
			continue
		}
		meta(tidUART+i, fmt.Sprintf("UART%d TX", i))
		for _, f := range frames {
			d := us(f.End - f.Start)
			body = append(body, TraceEvent{Name: frameName(f.Byte), Cat: "uart", Ph: "X", Ts: us(f.Start), Dur: &d,
				Pid: tracePid, Tid: tidUART + i, Args: map[string]any{"byte": f.Byte}})
		}
	}

	changed := map[int]bool{}
	for _, e := range r.edges {
		if !changed[e.Pin] {
			changed[e.Pin] = true
			body = append(body, TraceEvent{Name: fmt.Sprintf("GPIO%d", e.Pin), Cat: "gpio", Ph: "C", Ts: 0,
				Pid: tracePid, Tid: tidGPIO, Args: map[string]any{"level": bit(r.levels>>e.Pin&1 != 0)}})
		}
		body = append(body, TraceEvent{Name: fmt.Sprintf("GPIO%d", e.Pin), Cat: "gpio", Ph: "C", Ts: us(e.At),
			Pid: tracePid, Tid: tidGPIO, Args: map[string]any{"level": bit(e.Level)}})
	}

	if r.tasks != nil {
		polls, tracks := r.tasks.traceEvents()
		body = append(body, polls...)
		for _, tid := range sortedKeys(boolKeys(tracks)) {
			meta(tid, tracks[tid])
		}
	}
	for _, core := range sortedKeys(cores) {
		meta(tidCore+core, fmt.Sprintf("core %d", core))
	}
	for _, src := range sortedKeys(sources) {
		meta(tidSource+src, "IRQ "+sourceName(src))
	}
	if timers {
		meta(tidTimers, "timer alarms")
	}
	if len(changed) > 0 {
		meta(tidGPIO, "GPIO")
	}
	sort.SliceStable(body, func(i, j int) bool { return body[i].Ts < body[j].Ts })
	ev = append(ev, body...)

	enc := json.NewEncoder(w)
	return enc.Encode(TraceFile{
		TraceEvents:     ev,
		DisplayTimeUnit: "ns",
		OtherData: map[string]any{
			"simulator":    "gohal sim/esp32c3",
			"end":          r.End.String(),
			"virtual_time": r.Time.String(),
			"dropped":      r.Dropped,
		},
	})
}

// timerSources are the sources whose rise is a timer alarm.
var timerSources = map[sim.Source]string{
	sim.SourceSystimerTarget0:     "SYSTIMER alarm 0",
	sim.SourceSystimerTarget0 + 1: "SYSTIMER alarm 1",
	sim.SourceSystimerTarget0 + 2: "SYSTIMER alarm 2",
	sim.SourceTG0T0:               "TIMG0 timer alarm",
	sim.SourceTG1T0:               "TIMG1 timer alarm",
	sim.SourceTG0WDT:              "TIMG0 watchdog",
	sim.SourceTG1WDT:              "TIMG1 watchdog",
}

// boolKeys returns m's keys as a set.
func boolKeys(m map[int]string) map[int]bool {
	s := make(map[int]bool, len(m))
	for k := range m {
		s[k] = true
	}
	return s
}

// us converts virtual time to the format's microseconds.
func us(d time.Duration) float64 { return float64(d) / 1e3 }

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

func frameName(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("0x%02x", b)
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
