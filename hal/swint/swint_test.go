//go:build !tinygo

package swint_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

var _ async.SoftwareInterrupt = (*swint.SoftwareInterrupt)(nil)

func TestEachIsTakenOnce(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	a, err := swint.Take(2)
	require.NoError(t, err)
	require.Equal(t, "FROM_CPU_INTR2", a.Name())
	require.Equal(t, rt.Source(52), a.Source())
	_, err = swint.Take(2)
	require.Error(t, err)
	require.Contains(t, err.Error(), "FROM_CPU_INTR2")
	var inUse *periph.InUseError
	require.True(t, errors.As(err, &inUse))
	_, err = swint.New(periph.StealSoftwareInterrupt(2))
	require.Error(t, err, "a token does not bypass the registry")
	_, err = swint.Take(4)
	require.ErrorIs(t, err, periph.ErrNoSuchResource)
	b, err := swint.Take(3)
	require.NoError(t, err)
	require.NotSame(t, a, b)
}

func TestRaiseRunsTheHandlerAtItsPriority(t *testing.T) {
	t.Cleanup(periph.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Second))
	var runs int
	var inHandler bool
	require.NoError(t, c.Run(func() {
		sw, err := swint.Take(1)
		require.NoError(t, err)
		sw.Bind(func() {
			sw.Clear()
			runs++
			inHandler = rt.InInterrupt()
		}, 3)
		require.Equal(t, 0, sw.Core())
		line := rt.VectoredInterrupt(3)
		require.Equal(t, uint32(line), c.Machine().Core(0).SourceLine(int(sw.Source())), "routed to line 16+3")
		require.Equal(t, uint32(3), c.Machine().Core(0).Priority(int(line)))
		for i := 0; i < 3; i++ {
			sw.Raise() // taken as soon as the raise is visible
		}
		rt.Critical(func() {
			sw.Raise()
			require.True(t, sw.Pending(), "inside a critical section the raise stays pending")
		}) // and runs here
		require.False(t, sw.Pending())
		sw.Release()
		require.Equal(t, -1, sw.Core())
		sw.Raise() // unbound: nothing runs
		require.True(t, rt.SourcePending(sw.Source()))
		sw.Clear()
		_, err = swint.Take(1)
		require.NoError(t, err, "released, it can be taken again")
	}))
	require.Equal(t, 4, runs)
	require.True(t, inHandler)
}
