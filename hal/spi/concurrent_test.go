package spi_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/spi"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// await polls f from thread code until it completes, sleeping in WFI in between.
func await(f *spi.Future) error {
	cx := async.NewContext(0)
	for {
		cs := rt.EnterCritical()
		err, ok := f.Poll(cx)
		if !ok {
			rt.WaitForInterrupt()
		}
		cs.Exit()
		if ok {
			return err
		}
	}
}

// A second future polled while a transfer is in progress panics at once, naming the
// controller and both futures, and leaves the first untouched; one after the other, and
// after a Cancel, futures work (the one that panicked too: it had not started).
func TestSecondTransferWhileOnePendingPanics(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	var first, second, restarted error
	out := make([]byte, 100) // two chunks
	for i := range out {
		out[i] = byte(i)
	}
	in := make([]byte, len(out))
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(echo) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{Frequency: 1_000_000}, pins(p))
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		cx := async.NewContext(0)
		fs := new(struct{ f, g, h, k spi.Future })
		fs.f = a.TransferAsync(out, in)
		_, done := fs.f.Poll(cx)
		require.False(t, done)
		fs.g = a.WriteAsync([]byte{0xEE})
		require.PanicsWithValue(t, "spi: SPI2: WriteAsync polled while a TransferAsync is in progress on SPI2; "+
			"one transfer at a time: await the TransferAsync (or Cancel it) before starting another",
			func() { fs.g.Poll(cx) })
		fs.h = a.ReadAsync(make([]byte, 4))
		require.PanicsWithValue(t, "spi: SPI2: ReadAsync polled while a TransferAsync is in progress on SPI2; "+
			"one transfer at a time: await the TransferAsync (or Cancel it) before starting another",
			func() { fs.h.Poll(cx) })
		first = await(&fs.f)
		second = await(&fs.g)

		fs.h = a.TransferInPlaceAsync(make([]byte, 100))
		_, done = fs.h.Poll(cx)
		require.False(t, done)
		fs.h.Cancel()
		fs.k = a.WriteAsync([]byte{0xDD})
		restarted = await(&fs.k)
	})
	assert.NoError(t, first)
	assert.Equal(t, out, in, "the first transfer completes untouched")
	assert.NoError(t, second)
	assert.NoError(t, restarted)
	got := echo.Received()
	require.GreaterOrEqual(t, len(got), len(out)+2)
	assert.Equal(t, out, got[:len(out)])
	assert.Equal(t, byte(0xEE), got[len(out)], "the future that panicked ran after the first")
	assert.Equal(t, byte(0xDD), got[len(got)-1], "the transfer after a Cancel ran")
}

// A future polled from a higher priority while the code it interrupted is in a blocking
// transfer panics too (a blocking call, the second one, gets ErrBusy instead): the panic,
// raised in the interrupt handler, is Run's error.
func TestFutureWhileBlockingTransferPanics(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	c.SPI2().Attach(sim.NewSPIEcho(true))
	const swi = 2
	c.Schedule(time.Millisecond, func() { c.SetSourceLevel(sim.SourceFromCPU0+swi, true) })
	err := c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		b, err := spi.New(p.SPI2, spi.Config{Frequency: 100_000}, pins(p))
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		sw, err := swint.Take(swi)
		if err != nil {
			panic(err)
		}
		f := new(spi.Future)
		*f = a.ReadAsync(make([]byte, 1))
		sw.Bind(func() {
			sw.Clear()
			f.Poll(async.NewContext(0))
		}, 3)
		a.TransferInPlace(make([]byte, 150)) // 12 ms at 100 kHz
	})
	var pe *host.PanicError
	require.True(t, errors.As(err, &pe), "Run's error: %v", err)
	assert.Contains(t, pe.Context, "handler")
	assert.Equal(t, "spi: SPI2: ReadAsync polled while a blocking TransferInPlace (interrupted by this poll's higher priority) "+
		"is in progress on SPI2; one transfer at a time: do not start a transfer at a priority that can preempt one in progress", pe.Value)
}
