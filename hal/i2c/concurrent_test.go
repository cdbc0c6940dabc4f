package i2c_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// await polls f from thread code until it completes, sleeping in WFI in between.
func await(f *i2c.Future) error {
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
	s := sim.NewRegisterSensor()
	for r := 0; r < 16; r++ {
		s.Set(byte(r), byte(0xA0+r))
	}
	var first, second, restarted error
	got := make([]byte, 4)
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		cx := async.NewContext(0)
		fs := new(struct{ f, g, h, k i2c.Future })
		fs.f = a.WriteReadAsync(0x40, []byte{4}, got)
		_, done := fs.f.Poll(cx)
		require.False(t, done)
		fs.g = a.WriteAsync(0x40, []byte{0, 1})
		require.PanicsWithValue(t, "i2c: I2C0: WriteAsync polled while a WriteReadAsync is in progress on I2C0; "+
			"one transfer at a time: await the WriteReadAsync (or Cancel it) before starting another",
			func() { fs.g.Poll(cx) })
		fs.h = a.TransactionAsync(0x40, []i2c.Operation{i2c.Write([]byte{0})})
		require.PanicsWithValue(t, "i2c: I2C0: TransactionAsync polled while a WriteReadAsync is in progress on I2C0; "+
			"one transfer at a time: await the WriteReadAsync (or Cancel it) before starting another",
			func() { fs.h.Poll(cx) })
		first = await(&fs.f)
		second = await(&fs.g)

		fs.h = a.ReadAsync(0x40, make([]byte, 40))
		_, done = fs.h.Poll(cx)
		require.False(t, done)
		fs.h.Cancel()
		fs.k = a.WriteAsync(0x40, []byte{8, 9})
		restarted = await(&fs.k)
	})
	assert.NoError(t, first)
	assert.Equal(t, []byte{0xA4, 0xA5, 0xA6, 0xA7}, got, "the first transfer completes untouched")
	assert.NoError(t, second)
	assert.NoError(t, restarted)
	assert.Equal(t, byte(9), s.Get(8), "the transfer after a Cancel ran")
}

// A future polled from a higher priority while the code it interrupted is in a blocking
// transfer panics too (a blocking call, the second one, gets ErrBusy instead): the panic,
// raised in the interrupt handler, is Run's error.
func TestFutureWhileBlockingTransferPanics(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	s := sim.NewRegisterSensor(1, 2)
	s.SetStretch(2 * time.Millisecond)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	c.I2C0().Attach(0x40, s)
	const swi = 2
	c.Schedule(time.Millisecond, func() { c.SetSourceLevel(sim.SourceFromCPU0+swi, true) })
	err := c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		sw, err := swint.Take(swi)
		if err != nil {
			panic(err)
		}
		f := new(i2c.Future)
		*f = a.ReadAsync(0x40, make([]byte, 1))
		sw.Bind(func() {
			sw.Clear()
			f.Poll(async.NewContext(0))
		}, 3)
		a.WriteRead(0x40, []byte{0}, make([]byte, 2)) // 2 ms of clock stretching
	})
	var pe *host.PanicError
	require.True(t, errors.As(err, &pe), "Run's error: %v", err)
	assert.Contains(t, pe.Context, "handler")
	assert.Equal(t, "i2c: I2C0: ReadAsync polled while a blocking WriteRead (interrupted by this poll's higher priority) "+
		"is in progress on I2C0; one transfer at a time: do not start a transfer at a priority that can preempt one in progress", pe.Value)
}
