//go:build !tinygo

package host

import (
	"sort"
	"time"
)

// RecordKind is what a recorded event says happened.
type RecordKind uint8

// Recorded events.
const (
	// RecordSleep: the core went to sleep in WaitForInterrupt (Arg unused).
	RecordSleep RecordKind = iota + 1
	// RecordWake: the core woke from WaitForInterrupt.
	RecordWake
	// RecordTrapEnter: the core took CPU interrupt line Arg; Depth is the handler's nesting
	// depth (1 for a trap taken from thread mode).
	RecordTrapEnter
	// RecordTrapExit: the handler of line Arg returned (mret).
	RecordTrapExit
	// RecordHandlerEnter: DispatchSources calls the handler bound to interrupt source Arg.
	RecordHandlerEnter
	// RecordHandlerExit: that handler returned.
	RecordHandlerExit
	// RecordSource: interrupt source Arg changed to Level. Core is -1: sources belong to
	// the machine, not to a core.
	RecordSource
)

// Recorded is one event a recording machine saw, at a virtual time.
type Recorded struct {
	Time  time.Duration
	Core  int
	Kind  RecordKind
	Arg   int // the CPU interrupt line or the interrupt source, per Kind
	Depth int // the nesting depth, for trap events
	Level bool
}

// recorder holds what Record asked for. Each core's events are written only by the context
// that owns the core at the time, with the invisible atomics: recording must add no
// happens-before edge between a core's goroutines, or it would hide the races the model
// exists to report (doc.go). Source changes are appended under icMu, which SetSource holds
// anyway.
type recorder struct {
	limit      int
	cores      []coreRecord
	source     []Recorded // under icMu
	srcDropped int
}

type coreRecord struct {
	buf     []uint64 // 2 words per event: time, then kind | arg<<8 | depth<<24
	n       uint64   // events written (invisible atomics)
	dropped uint64   // events that did not fit
	asleep  uint64   // virtual time the current sleep began, +1 (0: awake)
	slept   uint64   // total virtual nanoseconds asleep
}

// Record makes the machine record what its cores do — sleeping in WaitForInterrupt,
// taking traps, running source handlers — and every change of an interrupt source, up to
// limit events per core (and limit source changes); later events are counted as dropped.
// With limit 0 only the time each core spends asleep is kept (SleepTime). Call it before
// Run.
func (m *Machine) Record(limit int) {
	if m.started.Load() {
		panic("host: Record after Run")
	}
	r := &recorder{limit: limit, cores: make([]coreRecord, len(m.cores))}
	for i := range r.cores {
		r.cores[i].buf = make([]uint64, 2*limit)
	}
	m.rec = r
}

// record notes an event on core c, from the context that owns it.
func (m *Machine) record(c *Core, k RecordKind, arg, depth int) {
	r := m.rec
	cr := &r.cores[c.id]
	now := load64(&m.now)
	switch k {
	case RecordSleep:
		store64(&cr.asleep, now+1)
	case RecordWake:
		if s := load64(&cr.asleep); s != 0 {
			store64(&cr.slept, load64(&cr.slept)+now-(s-1))
			store64(&cr.asleep, 0)
		}
	}
	n := load64(&cr.n)
	if n >= uint64(r.limit) {
		store64(&cr.dropped, load64(&cr.dropped)+1)
		return
	}
	store64(&cr.buf[2*n], now)
	store64(&cr.buf[2*n+1], uint64(k)|uint64(arg)<<8|uint64(depth)<<24)
	store64(&cr.n, n+1)
}

// recordSource notes a source change; icMu is held.
func (m *Machine) recordSource(src int, level bool) {
	r := m.rec
	if len(r.source) >= r.limit {
		r.srcDropped++
		return
	}
	r.source = append(r.source, Recorded{Time: m.Now(), Core: -1, Kind: RecordSource, Arg: src, Level: level})
}

// Recorded returns the events Record asked for, in time order (a core's own events keep
// their order), and how many did not fit. Call it after Run returned.
func (m *Machine) Recorded() (events []Recorded, dropped int) {
	r := m.rec
	if r == nil {
		return nil, 0
	}
	for i := range r.cores {
		cr := &r.cores[i]
		n := load64(&cr.n)
		for j := uint64(0); j < n; j++ {
			w := load64(&cr.buf[2*j+1])
			events = append(events, Recorded{
				Time:  time.Duration(load64(&cr.buf[2*j])),
				Core:  i,
				Kind:  RecordKind(w & 0xff),
				Arg:   int(w >> 8 & 0xffff),
				Depth: int(w >> 24 & 0xff),
			})
		}
		dropped += int(load64(&cr.dropped))
	}
	m.icMu.Lock()
	events = append(events, r.source...)
	dropped += r.srcDropped
	m.icMu.Unlock()
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time < events[j].Time })
	return events, dropped
}

// SleepTime returns the virtual time core i has spent asleep in WaitForInterrupt so far
// (a sleep still going on counts up to now). It is 0 unless Record was called.
func (m *Machine) SleepTime(i int) time.Duration {
	r := m.rec
	if r == nil {
		return 0
	}
	cr := &r.cores[i]
	t := load64(&cr.slept)
	if s := load64(&cr.asleep); s != 0 {
		if now := load64(&m.now); now > s-1 {
			t += now - (s - 1)
		}
	}
	return time.Duration(t)
}
