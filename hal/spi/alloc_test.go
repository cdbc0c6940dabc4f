package spi

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
	"github.com/gohal/gohal/pac/esp32c3/spi2"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TestAsyncPathsDoNotAllocate measures a Future's Poll while its chunk is on the bus (a
// slow clock keeps it there) and the interrupt handler with its wake.
func TestAsyncPathsDoNotAllocate(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	c.SPI2().Attach(sim.NewSPIEcho(true))
	var pollAllocs, isrAllocs float64
	var pending, raised, disabled bool
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		b, err := New(p.SPI2, Config{Frequency: 40_000}, Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2})
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		ex, err := executor.Thread(executor.Options{Tasks: 1})
		require.NoError(t, err)
		defer ex.Close()
		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		require.NoError(t, err)

		buf := make([]byte, 64) // 12.8 ms on the wire at 40 kHz
		f := a.TransferInPlaceAsync(buf)
		cx := async.NewContext(w)
		_, done := f.Poll(cx)
		require.False(t, done)
		pollAllocs = testing.AllocsPerRun(100, func() { _, done = f.Poll(cx) })
		pending = !done
		// Let the chunk finish with interrupts masked, then run the handler by hand with
		// TRANS_DONE raised and enabled, as the bound one would run.
		cs := rt.EnterCritical()
		for esp32c3.SPI2.SPI_CMD.Read()&cmdUSR != 0 {
		}
		raised = esp32c3.SPI2.SPI_DMA_INT_RAW.Read().SPI_TRANS_DONE_INT_RAW()
		isrAllocs = testing.AllocsPerRun(100, func() {
			esp32c3.SPI2.SPI_DMA_INT_ENA.Write(spi2.SPI_DMA_INT_ENAValue(intDone))
			onInterrupt()
		})
		disabled = esp32c3.SPI2.SPI_DMA_INT_ENA.Read() == 0
		cs.Exit()
		f.Cancel()
	}))
	assert.True(t, pending, "the chunk stayed on the bus during the measurement")
	assert.Zero(t, pollAllocs, "Future.Poll allocates")
	assert.True(t, raised)
	assert.True(t, disabled, "the handler disables what fired")
	assert.Zero(t, isrAllocs, "the interrupt handler allocates")
}
