package dma

import (
	"io"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs f as firmware on a fresh simulated chip, after hal.Init.
func run(t *testing.T, f func(p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		f(p)
	}))
	return c
}

// Buffers outlive the transfers (and, on the host, stay mapped in the DMA window).
var (
	srcBuf, dstBuf [3 * ChunkSize * 2]byte
	descBuf        [16]Descriptor
)

func fill(b []byte, seed byte) {
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
}

func TestBuildChain(t *testing.T) {
	buf := make([]byte, 2*ChunkSize+10)
	descs := make([]Descriptor, 3)
	n, err := BuildChain(descs, buf, TX)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	assert.Equal(t, ChunkSize, descs[0].Size())
	assert.Equal(t, ChunkSize, descs[0].Length())
	assert.False(t, descs[0].SucEOF())
	assert.True(t, descs[0].OwnedByDMA())
	assert.Equal(t, 10, descs[2].Length())
	assert.True(t, descs[2].SucEOF())
	assert.Zero(t, descs[2].Next)
	assert.Equal(t, descs[0].Next+12, descs[1].Next, "nodes are linked in order")
	assert.Equal(t, descs[0].Buffer+ChunkSize, descs[1].Buffer)
	assert.Equal(t, uint32(12), uint32(unsafe.Sizeof(Descriptor{})))

	n, err = BuildChain(descs, buf[:100], RX)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	assert.Equal(t, 100, descs[0].Size())
	assert.Zero(t, descs[0].Length(), "the hardware fills a receive node's length")
	assert.False(t, descs[0].SucEOF())

	_, err = BuildChain(descs[:2], buf, TX)
	assert.ErrorIs(t, err, ErrDescriptors)
	_, err = BuildChain(descs, nil, TX)
	assert.ErrorIs(t, err, ErrLength)
	flash := unsafe.Slice(mmio.At[byte](0x3C00_0000), 64) // the flash data window
	_, err = BuildChain(descs, flash, TX)
	assert.ErrorIs(t, err, ErrNotInternal)
	assert.Equal(t, 1, DescriptorsFor(0))
	assert.Equal(t, 1, DescriptorsFor(ChunkSize))
	assert.Equal(t, 2, DescriptorsFor(ChunkSize+1))
}

func TestCopyLengthsAndAlignments(t *testing.T) {
	lengths := []int{4, 8, 12, 64, 100, 1024, ChunkSize - 4, ChunkSize, ChunkSize + 4, 4096, 2*ChunkSize + 8, 3 * ChunkSize}
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA0, Config{})
		require.NoError(t, err)
		defer m.Close()
		for _, n := range lengths {
			for _, so := range []int{0, 4, 8} {
				for _, do := range []int{0, 4, 12} {
					src, dst := srcBuf[so:so+n], dstBuf[do:do+n+4]
					fill(src, byte(n+so))
					clear(dstBuf[:])
					require.NoError(t, m.Copy(dst, src, descBuf[:]), "n=%d src+%d dst+%d", n, so, do)
					require.Equal(t, src, dst[:n], "n=%d src+%d dst+%d", n, so, do)
					require.Equal(t, []byte{0, 0, 0, 0}, dst[n:], "bytes past the copy untouched")
					k := DescriptorsFor(n)
					assert.Equal(t, n, Received(descBuf[k:2*k]))
					assert.True(t, descBuf[2*k-1].SucEOF(), "the last receive node gets suc_eof")
				}
			}
		}
	})
}

func TestCopyErrors(t *testing.T) {
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA1, Config{})
		require.NoError(t, err)
		defer m.Close()
		_, err = New(p.DMA1, Config{})
		var inUse *periph.InUseError
		require.ErrorAs(t, err, &inUse)
		assert.Equal(t, "DMA_CH1", inUse.Resource)

		assert.ErrorIs(t, m.Copy(dstBuf[:], srcBuf[1:9], descBuf[:]), ErrAlignment, "source misaligned")
		assert.ErrorIs(t, m.Copy(dstBuf[2:], srcBuf[:8], descBuf[:]), ErrAlignment, "destination misaligned")
		assert.ErrorIs(t, m.Copy(dstBuf[:], srcBuf[:6], descBuf[:]), ErrAlignment, "length not a multiple of 4")
		assert.ErrorIs(t, m.Copy(dstBuf[:4], srcBuf[:8], descBuf[:]), ErrLength)
		assert.ErrorIs(t, m.Copy(dstBuf[:], srcBuf[:0], descBuf[:]), ErrLength)
		assert.ErrorIs(t, m.Copy(dstBuf[:], srcBuf[:ChunkSize+4], descBuf[:3]), ErrDescriptors)
		flash := unsafe.Slice(mmio.At[byte](0x3C00_0000), 64)
		assert.ErrorIs(t, m.Copy(dstBuf[:], flash, descBuf[:]), ErrNotInternal)
		// The driver still works after every refusal.
		fill(srcBuf[:64], 3)
		require.NoError(t, m.Copy(dstBuf[:64], srcBuf[:64], descBuf[:]))
		assert.Equal(t, srcBuf[:64], dstBuf[:64])
	})
}

// TestCopyTime is the 4 KiB figure: the model's 160 MB/s plus descriptor fetches.
func TestCopyTime(t *testing.T) {
	var took time.Duration
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA0, Config{})
		require.NoError(t, err)
		defer m.Close()
		fill(srcBuf[:4096], 1)
		t0 := systimer.Ticks()
		require.NoError(t, m.Copy(dstBuf[:4096], srcBuf[:4096], descBuf[:]))
		took = time.Duration(systimer.Ticks()-t0) * time.Second / 16_000_000
		assert.Equal(t, srcBuf[:4096], dstBuf[:4096])
	})
	t.Logf("4 KiB memory-to-memory copy: %v of virtual time", took)
	assert.InDelta(t, 26*time.Microsecond, took, float64(10*time.Microsecond))
}

func TestTimeoutWithoutClock(t *testing.T) {
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA2, Config{Timeout: time.Millisecond})
		require.NoError(t, err)
		defer m.Close()
		// Stop the GDMA's clock behind the driver's back: the copy never runs.
		s := mmio.At[mmio.U32](0x600C_0014) // SYSTEM.PERIP_CLK_EN1
		s.Store(s.Load() &^ (1 << 6))
		assert.ErrorIs(t, m.Copy(dstBuf[:64], srcBuf[:64], descBuf[:]), ErrTimeout)
		s.Store(s.Load() | 1<<6)
		require.NoError(t, m.Copy(dstBuf[:64], srcBuf[:64], descBuf[:]))
	})
}

func TestAsyncCopyWakesByInterrupt(t *testing.T) {
	var polls int
	var woke bool
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA0, Config{})
		require.NoError(t, err)
		am := m.IntoAsync()
		defer am.Close()
		ex, err := executor.Thread(executor.Options{Tasks: 1})
		require.NoError(t, err)
		defer ex.Close()
		fill(srcBuf[:8192], 9)
		clear(dstBuf[:])
		f := am.CopyAsync(dstBuf[:8192], srcBuf[:8192], descBuf[:])
		var res error
		_, err = ex.Spawner().Spawn(async.TaskFunc(func(cx *async.Context) bool {
			polls++
			var done bool
			res, done = f.Poll(cx)
			return done
		}))
		require.NoError(t, err)
		ex.Run()
		require.NoError(t, res)
		woke = polls == 2
		assert.Equal(t, srcBuf[:8192], dstBuf[:8192])
	})
	assert.True(t, woke, "polled once to start, once after the IN_SUC_EOF interrupt woke the task (polls=%d)", polls)
}

// simAllocs are the simulator's own allocations in a transfer on the host, not the
// driver's: sim.Chip.Schedule allocates the event that ends the copy, and the host core's
// WFI (the executor waiting for the interrupt) parks with one allocation.
const (
	simAllocsBlocking = 1
	simAllocsAwait    = 2
)

// TestTransfersDoNotAllocate: a blocking copy and an AwaitCopy allocate nothing beyond the
// simulator's own objects; the future's Poll while the copy is pending, and the interrupt
// handler, allocate nothing at all.
func TestTransfersDoNotAllocate(t *testing.T) {
	var blocking, await, poll, isr float64
	var copies int
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA0, Config{})
		require.NoError(t, err)
		am := m.IntoAsync()
		defer am.Close()
		bm, err := New(p.DMA1, Config{})
		require.NoError(t, err)
		defer bm.Close()
		ex, err := executor.Thread(executor.Options{Tasks: 2})
		require.NoError(t, err)
		defer ex.Close()
		fill(srcBuf[:4096], 5)
		blocking = testing.AllocsPerRun(20, func() {
			if bm.Copy(dstBuf[:4096], srcBuf[:4096], descBuf[:]) != nil {
				panic("copy failed")
			}
		})
		_, err = ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			require.NoError(t, am.AwaitCopy(tk, dstBuf[:4096], srcBuf[:4096], descBuf[:]))
			await = testing.AllocsPerRun(20, func() {
				if am.AwaitCopy(tk, dstBuf[:4096], srcBuf[:4096], descBuf[:]) != nil {
					panic("copy failed")
				}
				copies++
			})
		}))
		require.NoError(t, err)
		ex.Run()

		// A copy held pending: the GDMA's clock stopped behind the driver's back.
		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		require.NoError(t, err)
		clk := mmio.At[mmio.U32](0x600C_0014) // SYSTEM.PERIP_CLK_EN1
		clk.Store(clk.Load() &^ (1 << 6))
		f := am.CopyAsync(dstBuf[:4096], srcBuf[:4096], descBuf[:])
		cx := async.NewContext(w)
		_, done := f.Poll(cx)
		require.False(t, done)
		poll = testing.AllocsPerRun(100, func() { _, done = f.Poll(cx) })
		require.False(t, done)
		cs := rt.EnterCritical()
		isr = testing.AllocsPerRun(100, func() {
			events[0].Enable(waitBits, 0)
			onInterrupt0()
		})
		cs.Exit()
		f.Cancel()
		clk.Store(clk.Load() | 1<<6)
	})
	assert.Positive(t, copies)
	assert.LessOrEqual(t, blocking, float64(simAllocsBlocking), "a blocking copy allocates")
	assert.LessOrEqual(t, await, float64(simAllocsAwait), "AwaitCopy allocates")
	assert.Zero(t, poll, "Future.Poll allocates")
	assert.Zero(t, isr, "the interrupt handler allocates")
}

func TestConcurrentFuturePanics(t *testing.T) {
	run(t, func(p *hal.Peripherals) {
		m, err := New(p.DMA0, Config{})
		require.NoError(t, err)
		am := m.IntoAsync()
		defer am.Close()
		ex, err := executor.Thread(executor.Options{Tasks: 1})
		require.NoError(t, err)
		defer ex.Close()
		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		require.NoError(t, err)
		cx := async.NewContext(w)
		f1 := am.CopyAsync(dstBuf[:4096], srcBuf[:4096], descBuf[:4])
		_, done := f1.Poll(cx)
		require.False(t, done)
		f2 := am.CopyAsync(dstBuf[:64], srcBuf[:64], descBuf[4:])
		assert.PanicsWithValue(t, "dma: CopyAsync polled while a CopyAsync is in progress on this channel; one copy at a time: await it (or Cancel it) before starting another", func() { f2.Poll(cx) })
		assert.ErrorIs(t, am.Copy(dstBuf[:64], srcBuf[:64], descBuf[4:]), ErrBusy)
		f1.Cancel()
		err, done = f1.Poll(cx)
		assert.True(t, done)
		assert.ErrorIs(t, err, ErrCanceled)
		require.NoError(t, am.Copy(dstBuf[:64], srcBuf[:64], descBuf[4:]))
	})
}
