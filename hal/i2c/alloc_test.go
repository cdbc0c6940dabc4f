package i2c

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TestAsyncPathsDoNotAllocate measures the interrupt handler with its wake, and a Future's
// Poll while its chunk is on the bus (a device stretching the clock keeps it there).
func TestAsyncPathsDoNotAllocate(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	s := sim.NewRegisterSensor(1, 2)
	s.SetStretch(time.Second)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	c.I2C0().Attach(0x40, s)
	var pollAllocs, isrAllocs, blockingAllocs float64
	var pending, handled bool
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		b, err := New(p.I2C0, Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()

		ex, err := executor.Thread(executor.Options{Tasks: 1})
		require.NoError(t, err)
		defer ex.Close()
		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		require.NoError(t, err)

		reg, buf := []byte{0}, make([]byte, 2)
		f := a.WriteReadAsync(0x40, reg, buf)
		cx := async.NewContext(w)
		_, done := f.Poll(cx)
		require.False(t, done)
		pollAllocs = testing.AllocsPerRun(100, func() { _, done = f.Poll(cx) })
		pending = !done

		// The handler with interrupts masked, so the bound one does not run first: one
		// pending source (TXFIFO_WM: the TX FIFO is empty) enabled, then handled.
		cs := rt.EnterCritical()
		isrAllocs = testing.AllocsPerRun(100, func() {
			esp32c3.I2C0.INT_ENA.Write(1 << 1)
			onInterrupt()
		})
		handled = esp32c3.I2C0.INT_RAW.Read()&(1<<1) != 0 && esp32c3.I2C0.INT_ENA.Read() == 0
		cs.Exit()
		f.Cancel()

		s.SetStretch(0)
		blockingAllocs = testing.AllocsPerRun(10, func() { _ = a.WriteRead(0x40, reg, buf) })
	}))
	assert.True(t, pending, "the chunk stayed on the bus during the measurement")
	assert.Zero(t, pollAllocs, "Future.Poll allocates")
	assert.True(t, handled, "the source was pending and the handler disabled it")
	assert.Zero(t, isrAllocs, "the interrupt handler allocates")
	t.Logf("a blocking WriteRead, simulator included: %.0f allocations", blockingAllocs)
}
