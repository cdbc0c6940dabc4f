package esp32c3

import (
	"io"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
)

// The two ways interrupt firmware died on the chip under TinyGo 0.33's trap handler (found
// on Espressif's QEMU), reproduced on the simulator: it boots with TinyGo's handler in
// mtvec, as the chip does, and runs the handler's steps (rt/host, trap.go).

// oldRT is what rt did before it owned the trap vector: it registered a dispatcher for
// lines 17..31 with TinyGo's interrupt.New, made line 16+p a level line of priority p, and
// raised the threshold inside the dispatcher, that is, after TinyGo's handler had already
// enabled interrupts again.
type oldRT struct{ core *host.Core }

func (o oldRT) start() {
	o.core.SetThreshold(1)
	for p := uint32(1); p <= 15; p++ {
		n := int(16 + p)
		o.core.SetVector(n, func() { o.dispatch(n) })
		o.core.SetLine(n, p, false, true)
	}
}

func (o oldRT) enable(src Source, p uint32, handler func()) {
	o.core.Bind(int(src), handler)
	o.core.MapSource(int(src), 16+p)
}

func (o oldRT) dispatch(n int) {
	p := uint32(n - 16)
	cs := rt.EnterCritical()
	saved := o.core.Threshold()
	o.core.SetThreshold(min(p+1, 15))
	cs.Exit()
	o.core.DispatchSources(n)
	cs = rt.EnterCritical()
	o.core.SetThreshold(saved)
	cs.Exit()
}

func TestOldRTStormsUnderTinyGosTrapHandler(t *testing.T) {
	c := New(Log(io.Discard))
	runs := 0
	err := c.Run(func() {
		o := oldRT{host.CurrentCore()}
		o.start()
		o.enable(SourceFromCPU0, 1, func() {
			runs++
			sysFromCPU[0].Store(0)
		})
		sysFromCPU[0].Store(1) // a level source: only its handler can lower it
		sysFromCPU[0].Store(0) // not reached: the trap storm ends the run first
	})
	require.ErrorIs(t, err, host.ErrTrapStorm)
	assert.Contains(t, err.Error(), "CPU interrupt 17")
	assert.Contains(t, err.Error(), "TinyGo 0.33")
	assert.Zero(t, runs, "the handler never ran: the line re-entered before it could")
}

func TestTinyGosTrapHandlerLeavesThreadModeInAnInterrupt(t *testing.T) {
	// An edge line, as TinyGo's interrupt.New(...).Enable() configures one: its handler
	// clears the latch, so there is no storm, but it never clears mcause.
	c := New(Log(io.Discard))
	runs := 0
	var inAfter bool
	err := c.Run(func() {
		core := host.CurrentCore()
		core.SetVector(5, func() {
			runs++
			core.DispatchSources(5)
		})
		core.SetLine(5, 5, true, true)
		core.Bind(int(SourceFromCPU0), func() { sysFromCPU[0].Store(0) })
		core.MapSource(int(SourceFromCPU0), 5)
		sysFromCPU[0].Store(1)
		sysFromCPU[0].Load() // a preemption point
		// TinyGo's allocator asks interrupt.In() (mcause != 0) before every heap allocation:
		// from here on, thread mode's next allocation panics "heap alloc in interrupt".
		inAfter = rt.InInterrupt()
	})
	require.NoError(t, err)
	assert.Equal(t, 1, runs)
	assert.True(t, inAfter, "mcause is left set after TinyGo 0.33's handler returns")
}

func TestRTsTrapHandlerRunsLevelSourcesAndLeavesThreadMode(t *testing.T) {
	c := New(Log(io.Discard))
	runs := 0
	var inHandler, inAfter bool
	var trapBefore, trapAfter host.Trap
	err := c.Run(func() {
		trapBefore = host.CurrentCore().Trap()
		rt.Bind(rt.Source(SourceFromCPU0), func() {
			runs++
			inHandler = rt.InInterrupt()
			sysFromCPU[0].Store(0)
		})
		rt.Enable(rt.Source(SourceFromCPU0), 1)
		trapAfter = host.CurrentCore().Trap()
		for i := 0; i < 3; i++ {
			sysFromCPU[0].Store(1)
			sysFromCPU[0].Load()
		}
		inAfter = rt.InInterrupt()
	})
	require.NoError(t, err)
	assert.Equal(t, host.TrapTinyGo033, trapBefore, "the chip boots with TinyGo's handler")
	assert.Equal(t, host.TrapRT, trapAfter, "rt installs its own")
	assert.Equal(t, 3, runs)
	assert.True(t, inHandler)
	assert.False(t, inAfter, "rt clears mcause when the outermost handler returns")
}

func TestRTsTrapHandlerNestsByPriorityAndRestoresTheThreshold(t *testing.T) {
	c := New(Log(io.Discard))
	var order []string
	note := func(s string) { rt.Critical(func() { order = append(order, s) }) } // handlers preempt each other
	var inLowAfterNested bool
	var threshInLow, threshBefore, threshAfter rt.Priority
	err := c.Run(func() {
		low, high := rt.Source(SourceFromCPU0), rt.Source(SourceFromCPU0+1)
		same := rt.Source(SourceFromCPU0 + 2)
		rt.Bind(high, func() {
			note("high")
			sysFromCPU[1].Store(0)
		})
		rt.Bind(same, func() {
			note("same")
			sysFromCPU[2].Store(0)
		})
		rt.Bind(low, func() {
			note("low start")
			threshInLow = rt.Threshold()
			sysFromCPU[2].Store(1) // equal priority: must wait until low returns
			sysFromCPU[1].Store(1) // higher priority: preempts at once
			inLowAfterNested = rt.InInterrupt()
			note("low end")
			sysFromCPU[0].Store(0)
		})
		rt.Enable(low, 2)
		rt.Enable(same, 2)
		rt.Enable(high, 3)
		threshBefore = rt.Threshold()
		sysFromCPU[0].Store(1)
		sysFromCPU[0].Load()
		threshAfter = rt.Threshold()
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"low start", "high", "low end", "same"}, order)
	assert.Equal(t, rt.Priority(3), threshInLow, "priority 2 runs with the threshold at 3")
	assert.Equal(t, rt.Priority(1), threshBefore, "rt.Start lowers TinyGo's boot threshold to 1")
	assert.Equal(t, threshBefore, threshAfter)
	assert.True(t, inLowAfterNested, "a nested handler's return leaves the outer one in an interrupt")
}

func TestTrapEntryCyclesStampsTheTrap(t *testing.T) {
	c := New(Log(io.Discard))
	var before, stamp, after uint32
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceFromCPU0), func() { sysFromCPU[0].Store(0) })
		rt.Enable(rt.Source(SourceFromCPU0), 1)
		before = rt.Cycles()
		sysFromCPU[0].Store(1) // taken at the next preemption point
		sysFromCPU[0].Load()
		stamp = rt.TrapEntryCycles()
		after = rt.Cycles()
	})
	require.NoError(t, err)
	assert.Greater(t, stamp, before, "stamped when the trap was taken, after the raise")
	assert.LessOrEqual(t, stamp, after)
}

func TestRaiseBeforeAccessLandsBeforeTheKthAccess(t *testing.T) {
	for k := 1; k <= 4; k++ {
		c := New(Log(io.Discard))
		var done, seen atomic.Int32
		err := c.Run(func() {
			rt.Bind(rt.Source(SourceFromCPU0+1), func() {
				sysFromCPU[1].Store(0)
				seen.Store(done.Load())
			})
			rt.Enable(rt.Source(SourceFromCPU0+1), 1)
			c.RaiseBeforeAccess(1, k)
			for i := 0; i < 6; i++ {
				sysFromCPU[2].Load()
				done.Add(1)
			}
		})
		require.NoError(t, err)
		assert.Equal(t, int32(k-1), seen.Load(), "k=%d: taken just before access %d", k, k)
	}
}
