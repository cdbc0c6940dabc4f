package hal_test

import (
	"io"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/adc"
	"github.com/gohal/gohal/hal/dma"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/hal/ledc"
	"github.com/gohal/gohal/hal/spi"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/timer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// The drivers' typed awaits (AwaitWriteRead, AwaitTransfer, AwaitDelay, AwaitRisingEdge)
// keep their future in the driver, so a straight-line task's await allocates nothing; the
// idiom they replace, a future in the task's own variable passed to async.Await, escapes
// to the heap once per await. Each driver's await runs against the simulator, which does
// its own bookkeeping in the same process, so the test compares three ways of awaiting the
// same operation in the same firmware: the typed await, the future in a field of a heap
// object made once (the zero-allocation baseline), and the local future (one allocation
// more per await, which shows the measurement can see an allocation).

// variant is a way of awaiting one operation.
type variant int

const (
	typed variant = iota
	field
	local
)

var variantNames = [...]string{"typed await", "future in a field", "future in a local"}

// awaits is the number of measured awaits per variant.
const awaits = 40

// measure runs setup's firmware: a straight-line task awaits op(v) twice to warm up, then
// awaits times more while the process's allocations are counted; it returns allocations
// per await.
func measure(t *testing.T, attach func(c *sim.Chip), op func(p *hal.Peripherals) func(t *async.T, v variant), v variant) float64 {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	if attach != nil {
		attach(c)
	}
	var per float64
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		await := op(p)
		ex, err := executor.Thread(executor.Options{Tasks: 1})
		require.NoError(t, err)
		defer ex.Close()
		_, err = ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			await(tk, v)
			await(tk, v)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < awaits; i++ {
				await(tk, v)
			}
			runtime.ReadMemStats(&after)
			per = float64(after.Mallocs-before.Mallocs) / awaits
		}))
		require.NoError(t, err)
		ex.Run()
	}))
	return per
}

// checkAwaits measures the three variants and asserts the typed await costs what the field
// future costs, and the local one an allocation more. Each figure is the least of several
// runs: the runtime and the race detector allocate now and then in the background (on a
// loaded 2-core CI machine, a third of an allocation per await in three runs in a row), so
// it measures again, up to eight rounds, while the figures are not yet clean. Retrying
// cannot hide an allocation of the typed await: it is there in every run, so the least of
// any number of runs still shows it.
func checkAwaits(t *testing.T, attach func(c *sim.Chip), op func(p *hal.Peripherals) func(t *async.T, v variant)) {
	var got [3]float64
	for round := 0; round < 8; round++ {
		for v := range got {
			m := measure(t, attach, op, variant(v))
			if round == 0 || m < got[v] {
				got[v] = m
			}
		}
		if round >= 2 && got[typed]-got[field] <= 0.25 && got[local]-got[typed] >= 0.75 {
			break
		}
	}
	t.Logf("allocations per await: %s %.2f, %s %.2f, %s %.2f",
		variantNames[typed], got[typed], variantNames[field], got[field], variantNames[local], got[local])
	assert.LessOrEqual(t, got[typed]-got[field], 0.25, "the typed await allocates no more than the field future")
	assert.GreaterOrEqual(t, got[local]-got[typed], 0.75, "the local future escapes: the measurement sees it")
}

// sink keeps the field futures on the heap, made once.
var sink struct {
	i2c   i2c.Future
	spi   spi.Future
	delay timer.DelayFuture
	pin   gpio.WaitFuture
	fade  ledc.FadeFuture
	conv  adc.ReadFuture
	copy  dma.Future
}

func TestI2CAwaitDoesNotAllocate(t *testing.T) {
	s := sim.NewRegisterSensor(0x12, 0x34)
	checkAwaits(t, func(c *sim.Chip) { c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) func(*async.T, variant) {
		b, err := i2c.New(p.I2C0, i2c.Config{Frequency: 1_000_000}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		reg, buf := []byte{0}, make([]byte, 2)
		return func(tk *async.T, v variant) {
			var err error
			switch v {
			case typed:
				err = a.AwaitWriteRead(tk, 0x40, reg, buf)
			case field:
				sink.i2c = a.WriteReadAsync(0x40, reg, buf)
				err = async.Await(tk, &sink.i2c)
			case local:
				f := a.WriteReadAsync(0x40, reg, buf)
				err = async.Await(tk, &f)
			}
			if err != nil || buf[0] != 0x12 || buf[1] != 0x34 {
				panic("the transfer failed")
			}
		}
	})
}

func TestSPIAwaitDoesNotAllocate(t *testing.T) {
	checkAwaits(t, nil, func(p *hal.Peripherals) func(*async.T, variant) {
		mosi := p.GPIO7
		b, err := spi.New(p.SPI2, spi.Config{Frequency: 10_000_000}, spi.Pins{SCK: p.GPIO6, MOSI: &mosi})
		require.NoError(t, err)
		a := b.IntoAsync()
		w := make([]byte, 200) // more than one 64-byte chunk: the await sleeps on interrupts
		return func(tk *async.T, v variant) {
			var err error
			switch v {
			case typed:
				err = a.AwaitWrite(tk, w)
			case field:
				sink.spi = a.WriteAsync(w)
				err = async.Await(tk, &sink.spi)
			case local:
				f := a.WriteAsync(w)
				err = async.Await(tk, &f)
			}
			if err != nil {
				panic(err)
			}
		}
	})
}

func TestTimerAwaitDoesNotAllocate(t *testing.T) {
	checkAwaits(t, nil, func(p *hal.Peripherals) func(*async.T, variant) {
		b, err := timer.NewOneShot(p.TIMG0, timer.Config{})
		require.NoError(t, err)
		a := b.IntoAsync()
		return func(tk *async.T, v variant) {
			var err error
			switch v {
			case typed:
				err = a.AwaitDelay(tk, 100)
			case field:
				sink.delay = a.DelayAsync(100)
				err = async.Await(tk, &sink.delay)
			case local:
				f := a.DelayAsync(100)
				err = async.Await(tk, &f)
			}
			if err != nil {
				panic(err)
			}
		}
	})
}

func TestGPIOAwaitDoesNotAllocate(t *testing.T) {
	const pin = 9
	checkAwaits(t, func(c *sim.Chip) {
		for i := 0; i < 2*(awaits+2); i++ { // a 50 µs pulse every 200 µs
			at := time.Millisecond + time.Duration(i)*200*time.Microsecond
			c.GPIO().DriveAt(at, pin, true)
			c.GPIO().DriveAt(at+50*time.Microsecond, pin, false)
		}
	}, func(p *hal.Peripherals) func(*async.T, variant) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{})
		require.NoError(t, err)
		a := in.IntoAsync()
		return func(tk *async.T, v variant) {
			switch v {
			case typed:
				a.AwaitRisingEdge(tk)
			case field:
				sink.pin = a.WaitForRisingEdge()
				async.Await(tk, &sink.pin)
			case local:
				f := a.WaitForRisingEdge()
				async.Await(tk, &f)
			}
		}
	})
}

func TestLEDCAwaitDoesNotAllocate(t *testing.T) {
	checkAwaits(t, nil, func(p *hal.Peripherals) func(*async.T, variant) {
		tm, err := ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 5000, Resolution: 10})
		require.NoError(t, err)
		b, err := ledc.NewChannel(p.LEDC0, tm, p.GPIO4, ledc.ChannelConfig{})
		require.NoError(t, err)
		a := b.IntoAsync()
		to := uint32(0)
		return func(tk *async.T, v variant) {
			to = 1000 - to // fade up, then down: 2 ms at 5 kHz
			var err error
			switch v {
			case typed:
				err = a.AwaitFade(tk, to, 2*time.Millisecond)
			case field:
				sink.fade = a.FadeAsync(to, 2*time.Millisecond)
				err = async.Await(tk, &sink.fade)
			case local:
				f := a.FadeAsync(to, 2*time.Millisecond)
				err = async.Await(tk, &f)
			}
			if err != nil {
				panic(err)
			}
		}
	})
}

func TestADCAwaitDoesNotAllocate(t *testing.T) {
	checkAwaits(t, func(c *sim.Chip) { c.ADC().SetVoltage(2, 1200) }, func(p *hal.Peripherals) func(*async.T, variant) {
		b, err := adc.New(p.ADC1, adc.Config{})
		require.NoError(t, err)
		a := b.IntoAsync()
		ch, err := a.Enable(p.GPIO2, adc.Atten11dB)
		require.NoError(t, err)
		return func(tk *async.T, v variant) {
			var err error
			switch v {
			case typed:
				_, err = a.AwaitMillivolts(tk, ch)
			case field:
				sink.conv = a.ReadMillivoltsAsync(ch)
				err = async.Await(tk, &sink.conv).Err
			case local:
				f := a.ReadMillivoltsAsync(ch)
				err = async.Await(tk, &f).Err
			}
			if err != nil {
				panic(err)
			}
		}
	})
}

// dmaBufs are the copy's buffers and descriptors: word-aligned, in (simulated) internal
// SRAM, made once.
var dmaBufs struct {
	src, dst [256]uint32
	descs    [4]dma.Descriptor
}

func TestDMAAwaitDoesNotAllocate(t *testing.T) {
	checkAwaits(t, nil, func(p *hal.Peripherals) func(*async.T, variant) {
		b, err := dma.New(p.DMA0, dma.Config{})
		require.NoError(t, err)
		a := b.IntoAsync()
		src := unsafe.Slice((*byte)(unsafe.Pointer(&dmaBufs.src[0])), 1024)
		dst := unsafe.Slice((*byte)(unsafe.Pointer(&dmaBufs.dst[0])), 1024)
		return func(tk *async.T, v variant) {
			var err error
			switch v {
			case typed:
				err = a.AwaitCopy(tk, dst, src, dmaBufs.descs[:])
			case field:
				sink.copy = a.CopyAsync(dst, src, dmaBufs.descs[:])
				err = async.Await(tk, &sink.copy)
			case local:
				f := a.CopyAsync(dst, src, dmaBufs.descs[:])
				err = async.Await(tk, &f)
			}
			if err != nil {
				panic(err)
			}
		}
	})
}

// twoAwaits runs two straight-line tasks that start the same driver's await at once: the
// second panics at its call, naming the driver and both operations, before it touches the
// future in the driver that the first is waiting on; the first still completes.
func twoAwaits(t *testing.T, attach func(c *sim.Chip), op func(p *hal.Peripherals) func(t *async.T)) (string, int) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	if attach != nil {
		attach(c)
	}
	var reports []async.TaskPanic
	completed := 0
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		await := op(p)
		ex, err := executor.Thread(executor.Options{Tasks: 2, OnPanic: func(tp async.TaskPanic) { reports = append(reports, tp) }})
		require.NoError(t, err)
		defer ex.Close()
		for i := 0; i < 2; i++ {
			_, err = ex.Spawner().Spawn(async.Go(func(tk *async.T) { await(tk); completed++ }))
			require.NoError(t, err)
		}
		ex.Run()
	}))
	require.Len(t, reports, 1)
	msg, _ := reports[0].Value.(string)
	return msg, completed
}

func TestSecondAwaitOnABusyDriverPanics(t *testing.T) {
	s := sim.NewRegisterSensor(0x12, 0x34)
	msg, done := twoAwaits(t, func(c *sim.Chip) { c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) func(*async.T) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		return func(tk *async.T) {
			if err := a.AwaitRead(tk, 0x40, make([]byte, 2)); err != nil {
				panic(err)
			}
		}
	})
	assert.Equal(t, "i2c: I2C0: AwaitRead polled while a AwaitRead is in progress on I2C0; one transfer at a time: await the AwaitRead (or Cancel it) before starting another", msg)
	assert.Equal(t, 1, done, "the first await completed")

	msg, done = twoAwaits(t, nil, func(p *hal.Peripherals) func(*async.T) {
		b, err := timer.NewOneShot(p.TIMG1, timer.Config{})
		require.NoError(t, err)
		a := b.IntoAsync()
		return func(tk *async.T) {
			if err := a.AwaitDelay(tk, 500); err != nil {
				panic(err)
			}
		}
	})
	assert.Equal(t, "timer: TIMG1: AwaitDelay polled while a AwaitDelay is still pending on TIMG1; one wait per timer at a time: await the AwaitDelay (or Cancel it) before waiting again", msg)
	assert.Equal(t, 1, done)

	msg, done = twoAwaits(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(time.Millisecond, 9, false)
		c.GPIO().DriveAt(2*time.Millisecond, 9, true)
	}, func(p *hal.Peripherals) func(*async.T) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{})
		require.NoError(t, err)
		a := in.IntoAsync()
		return func(tk *async.T) { a.AwaitRisingEdge(tk) }
	})
	assert.Contains(t, msg, "gpio: GPIO9: WaitForRisingEdge polled while a WaitForRisingEdge is still pending on GPIO9")
	assert.Equal(t, 1, done)

	msg, done = twoAwaits(t, nil, func(p *hal.Peripherals) func(*async.T) {
		mosi := p.GPIO7
		b, err := spi.New(p.SPI2, spi.Config{}, spi.Pins{SCK: p.GPIO6, MOSI: &mosi})
		require.NoError(t, err)
		a := b.IntoAsync()
		return func(tk *async.T) {
			if err := a.AwaitWrite(tk, make([]byte, 100)); err != nil {
				panic(err)
			}
		}
	})
	assert.Equal(t, "spi: SPI2: AwaitWrite polled while a AwaitWrite is in progress on SPI2; one transfer at a time: await the AwaitWrite (or Cancel it) before starting another", msg)
	assert.Equal(t, 1, done)
}
