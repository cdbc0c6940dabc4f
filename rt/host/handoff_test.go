//go:build !tinygo

package host

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gohal/gohal/rt/mmio"
	"github.com/stretchr/testify/require"
)

// coro is a coroutine as async's straight-line tasks build one: a goroutine started by its
// first resume, driven through a Handoff.
type coro struct {
	h       *Handoff
	fn      func(yield func())
	started bool
	done    bool // written by the coroutine, read by the resumer after Resume
	exited  chan struct{}
}

func newCoro(fn func(yield func())) *coro {
	return &coro{h: NewHandoff(), fn: fn, exited: make(chan struct{})}
}

// resume runs the coroutine until it yields; it reports whether fn has returned.
func (c *coro) resume() bool {
	if !c.started {
		c.started = true
		go func() {
			defer close(c.exited)
			c.h.Wait()
			defer c.h.Done()
			c.fn(c.h.Yield)
			c.done = true
		}()
	}
	c.h.Resume()
	return c.done
}

// A one-register-per-source trigger at trigBase (1 raises source i, 0 lowers it, and the
// interrupt is taken right after the write, as simulated peripherals do) and a scratch
// register whose accesses are only preemption points.
const trigBase = 0x6100_0000

type trigger struct{ m *Machine }

func (t trigger) Read(addr uintptr, size int) uint64 { return 0 }
func (t trigger) Write(addr uintptr, size int, v uint64) {
	t.m.SetSource(int(addr-trigBase)/4, v&1 != 0)
	t.m.Poll()
}

var (
	trig    = mmio.At[[8]mmio.U32](trigBase)
	scratch = mmio.At[mmio.U32](0x6200_0000)
)

func newTrigMachine(t *testing.T, cfg Config) *Machine {
	t.Helper()
	mmio.ResetMemory()
	if cfg.Sources == 0 {
		cfg.Sources = 8
	}
	m := New(cfg)
	t.Cleanup(mmio.Hook(trigBase, trigBase+0x20, trigger{m}))
	return m
}

// enable routes source src to line src+1 at priority p on core c.
func enable(c *Core, src int, p uint32) {
	c.MapSource(src, uint32(src+1))
	c.SetLine(src+1, p, false, true)
	Poll()
}

// journal is appended to inside critical sections, by thread code, coroutines and handlers.
type journal struct{ entries []string }

func (j *journal) add(format string, args ...any) {
	st := Enter()
	j.entries = append(j.entries, fmt.Sprintf(format, args...))
	Exit(st)
}

func where() string {
	return fmt.Sprintf("core=%d oncore=%v interrupt=%v", CoreID(), OnCore(), InInterrupt())
}

func TestHandoffCoroutineIsItsResumersContext(t *testing.T) {
	m := newTrigMachine(t, Config{})
	var j journal
	err := m.Run(func() {
		c := CurrentCore()
		thread := getg()
		var co *coro
		co = newCoro(func(yield func()) {
			j.add("coroutine first: %s same core %v own goroutine %v", where(), CurrentCore() == c, getg() != thread)
			yield()
			j.add("coroutine second: %s", where())
			// A coroutine resuming another one lends it the context it was lent.
			inner := newCoro(func(func()) { j.add("nested: %s", where()) })
			inner.resume()
			j.add("coroutine after nested: %s", where())
			yield()
			j.add("coroutine last: %s", where())
		})
		c.Bind(3, func() {
			trig[3].Store(0)
			j.add("handler resumes it: %s", where())
			co.resume()
		})
		enable(c, 3, 2)
		j.add("thread: %s, coroutine done %v", where(), co.resume())
		trig[3].Store(1) // the handler resumes the coroutine, which then runs in the handler
		j.add("thread after handler: %s", where())
		j.add("coroutine done %v, core back with the thread %v", co.resume(), load64(&c.running) == thread)
	})
	require.NoError(t, err)
	require.Equal(t, []string{
		"coroutine first: core=0 oncore=true interrupt=false same core true own goroutine true",
		"thread: core=0 oncore=true interrupt=false, coroutine done false",
		"handler resumes it: core=0 oncore=true interrupt=true",
		"coroutine second: core=0 oncore=true interrupt=true",
		"nested: core=0 oncore=true interrupt=true",
		"coroutine after nested: core=0 oncore=true interrupt=true",
		"thread after handler: core=0 oncore=true interrupt=false",
		"coroutine last: core=0 oncore=true interrupt=false",
		"coroutine done true, core back with the thread true",
	}, j.entries)

	// Without a machine the hand-off is a plain one between goroutines.
	var outside []string
	co := newCoro(func(yield func()) { outside = append(outside, where()); yield(); outside = append(outside, where()) })
	require.False(t, co.resume())
	require.True(t, co.resume())
	require.Equal(t, []string{"core=0 oncore=false interrupt=false", "core=0 oncore=false interrupt=false"}, outside)
}

func TestHandoffInterruptPreemptsCoroutineAtRegisterAccess(t *testing.T) {
	var m *Machine
	m = newTrigMachine(t, Config{OnTime: func() { m.SetSource(6, true); m.SetDeadline(-1) }})
	var j journal
	var handlerG, coroG uint64
	var wokeAt time.Duration
	err := m.Run(func() {
		c := CurrentCore()
		c.Bind(5, func() {
			trig[5].Store(0)
			handlerG = getg()
			j.add("handler: %s", where())
		})
		woken := false
		c.Bind(6, func() {
			m.SetSource(6, false)
			woken = true
			j.add("timer handler")
		})
		enable(c, 5, 1)
		enable(c, 6, 1)
		co := newCoro(func(yield func()) {
			coroG = getg()
			j.add("coroutine before raise")
			trig[5].Store(1) // taken right after this write, before the next statement
			j.add("coroutine after raise: %s", where())

			st := Enter()
			trig[5].Store(1)
			scratch.Load() // masked: a preemption point inside a critical section
			j.add("coroutine still masked")
			Exit(st) // taken here
			j.add("coroutine after critical section")
			yield()

			// Virtual time: every access of the coroutine costs 50ns.
			t0 := m.Now()
			for i := 0; i < 10; i++ {
				scratch.Load()
			}
			j.add("10 accesses took %v", m.Now()-t0)

			// WaitForInterrupt in the coroutine sleeps the core; time jumps to the event.
			m.SetDeadline(time.Millisecond)
			for {
				st := Enter()
				if woken {
					Exit(st)
					break
				}
				WaitForInterrupt()
				Exit(st)
			}
			wokeAt = m.Now()
			j.add("coroutine woke: %s", where())
		})
		j.add("thread between, done %v", co.resume())
		j.add("thread end, done %v", co.resume())
	})
	require.NoError(t, err)
	require.Equal(t, []string{
		"coroutine before raise",
		"handler: core=0 oncore=true interrupt=true",
		"coroutine after raise: core=0 oncore=true interrupt=false",
		"coroutine still masked",
		"handler: core=0 oncore=true interrupt=true",
		"coroutine after critical section",
		"thread between, done false",
		"10 accesses took 500ns",
		"timer handler",
		"coroutine woke: core=0 oncore=true interrupt=false",
		"thread end, done true",
	}, j.entries)
	require.NotEqual(t, handlerG, coroG, "the handler runs on its level's goroutine")
	require.Equal(t, time.Millisecond, wokeAt)
}

// Under -race: data the resumer writes before Resume and reads after it, and that the
// coroutine reads and writes in between, is ordered as by a function call, with a timer
// interrupt (whose handler shares nothing unprotected) preempting the coroutine all along.
func TestHandoffNoFalseRaceBetweenResumerAndCoroutine(t *testing.T) {
	var m *Machine
	next := 7 * time.Microsecond
	m = newTrigMachine(t, Config{OnTime: func() {
		m.SetSource(2, true)
		next += 7 * time.Microsecond
		m.SetDeadline(next)
	}})
	m.SetDeadline(next)
	runs := 0
	var onMachine int
	err := m.Run(func() {
		c := CurrentCore()
		c.Bind(2, func() {
			m.SetSource(2, false)
			st := Enter()
			runs++
			Exit(st)
		})
		enable(c, 2, 1)
		onMachine = exchange(100)
	})
	require.NoError(t, err)
	st := Enter()
	require.Greater(t, runs, 10, "the timer preempted the coroutine")
	Exit(st)
	require.Equal(t, exchange(100), onMachine, "the same exchange without a machine")
}

// exchange passes a buffer back and forth between its caller and a coroutine, turns times,
// with no synchronisation but the hand-off, and returns a checksum.
func exchange(turns int) (sum int) {
	var data [16]int
	turn := 0
	co := newCoro(func(yield func()) {
		for turn < turns {
			for i := range data {
				data[i] += turn // reads and writes what the resumer wrote
				scratch.Load()  // a preemption point (on a machine)
			}
			yield()
		}
	})
	for {
		turn++
		for i := range data {
			data[i]++
		}
		if co.resume() {
			return sum
		}
		for _, v := range data {
			sum += v
		}
	}
}

// A machine that stops while a coroutine runs ends the coroutine's goroutine at its next
// preemption point and then its resumer's, as it would end the resumer's own goroutine.
func TestHandoffStopEndsCoroutineAndResumer(t *testing.T) {
	for _, how := range []string{"stop", "panic"} {
		t.Run(how, func(t *testing.T) {
			var m *Machine
			m = newTrigMachine(t, Config{StopGrace: time.Second, OnTime: func() { m.SetSource(4, true) }})
			m.SetDeadline(10 * time.Microsecond)
			var co *coro
			resumerReturned := false
			err := m.Run(func() {
				c := CurrentCore()
				c.Bind(4, func() {
					if how == "panic" {
						panic("handler failed")
					}
					m.Stop(errors.New("stopped by the handler"))
				})
				enable(c, 4, 1)
				co = newCoro(func(func()) {
					for {
						scratch.Load() // spins until the machine stops
					}
				})
				co.resume()
				resumerReturned = true
			})
			select {
			case <-co.exited:
			case <-time.After(time.Second):
				t.Fatal("the coroutine's goroutine did not end")
			}
			require.False(t, resumerReturned, "the resumer ran on after the machine stopped")
			if how == "stop" {
				require.EqualError(t, err, "stopped by the handler")
				return
			}
			var pe *PanicError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "handler failed", pe.Value)
			require.Equal(t, "handler for CPU interrupt 5", pe.Context)
			require.Equal(t, 10*time.Microsecond, pe.Time)
		})
	}
}

// BenchmarkHandoff is one Resume/Yield round trip: between plain goroutines, and adopted by a
// simulated core's thread context.
func BenchmarkHandoff(b *testing.B) {
	roundTrips := func(b *testing.B) {
		stop := false
		co := newCoro(func(yield func()) {
			for !stop {
				yield()
			}
		})
		co.resume()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			co.resume()
		}
		b.StopTimer()
		stop = true
		co.resume()
	}
	b.Run("plain", roundTrips)
	b.Run("adopted", func(b *testing.B) {
		// No register accesses: virtual time stands still, so no stall limit either.
		if err := New(Config{StallLimit: time.Hour}).Run(func() { roundTrips(b) }); err != nil {
			b.Fatal(err)
		}
	})
}
