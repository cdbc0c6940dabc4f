package async_test

import (
	"io"
	"sync/atomic"
	"testing"

	"github.com/gohal/gohal/async"
	pac "github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/stretchr/testify/require"
)

// A CeilingLock at priority 2, shared by thread code and a priority-2 handler, keeps that
// handler out while thread code holds it, and lets a priority-3 handler through: RTIC's
// stack resource policy on the ESP32-C3's interrupt threshold.
func TestCeilingLockMasksUpToTheCeilingOnly(t *testing.T) {
	type shared struct{ count int }
	var (
		lock            = async.NewCeilingLock(2, shared{})
		p2Inside, p3Ran int
		p2Ran           int
		holding         atomic.Bool // read by the handlers, which the model does not order after the thread
		restored        bool
		total           int
	)
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		p2, p3 := syncSWI(0), syncSWI(1)
		p2.Bind(func() {
			p2.Clear()
			p2Ran++
			if holding.Load() {
				p2Inside++ // the lock failed: we preempted its holder
			}
			lock.Lock(func(s *shared) { s.count++ })
		}, 2)
		p3.Bind(func() {
			p3.Clear()
			if holding.Load() {
				p3Ran++
			}
		}, 3)
		base := rt.Threshold() // as rt left it when it started (binding starts it)
		for i := 0; i < 10; i++ {
			lock.Lock(func(s *shared) {
				holding.Store(true)
				p2.Raise() // masked until the lock is released
				p3.Raise() // above the ceiling: runs now
				for k := 0; k < 5; k++ {
					_ = pac.SYSTEM.CPU_INTR_FROM_CPU[0].Read() // preemption points
				}
				holding.Store(false)
				s.count++
			})
		}
		restored = rt.Threshold() == base
		lock.Lock(func(s *shared) { total = s.count })
	})
	require.NoError(t, err)
	require.True(t, restored, "the threshold is restored after each Lock")
	require.Equal(t, 10, p2Ran, "the priority-2 handler ran after each release")
	require.Zero(t, p2Inside, "and never inside the lock")
	require.Equal(t, 10, p3Ran, "the priority-3 handler preempted the holder each time")
	require.Equal(t, 20, total, "ten increments from each side")
}

// Acquire/Release is Lock without a closure (for interrupt handlers, where TinyGo would
// heap-allocate a capturing closure): the same masking, released by the guard.
func TestCeilingLockAcquireMasksUntilRelease(t *testing.T) {
	lock := async.NewCeilingLock(2, 0)
	var p2During, p2After, p3During int
	var holding atomic.Bool
	var threshHeld, threshBase, threshAfter rt.Priority
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		p2, p3 := syncSWI(0), syncSWI(1)
		p2.Bind(func() {
			p2.Clear()
			if holding.Load() {
				p2During++
			} else {
				p2After++
			}
		}, 2)
		p3.Bind(func() {
			p3.Clear()
			if holding.Load() {
				p3During++
			}
		}, 3)
		threshBase = rt.Threshold()
		n, g := lock.Acquire()
		holding.Store(true)
		threshHeld = rt.Threshold()
		p2.Raise()
		p3.Raise()
		for k := 0; k < 5; k++ {
			_ = pac.SYSTEM.CPU_INTR_FROM_CPU[0].Read() // preemption points
		}
		*n++
		holding.Store(false)
		g.Release()
		threshAfter = rt.Threshold()
	})
	require.NoError(t, err)
	require.Equal(t, rt.Priority(3), threshHeld, "held: the threshold is above the ceiling")
	require.Equal(t, threshBase, threshAfter, "released: the threshold is back")
	require.Zero(t, p2During, "the priority-2 handler waited for Release")
	require.Equal(t, 1, p2After)
	require.Equal(t, 1, p3During, "the priority-3 handler preempted the holder")
}
