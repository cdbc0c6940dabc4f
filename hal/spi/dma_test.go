package spi

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/dma"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// DMA buffers and descriptors outlive the transfers (on the host they stay mapped in the
// simulator's DMA window).
var (
	dmaTx, dmaRx [40000]byte
	dmaDescs     [18]dma.Descriptor
)

func runDMA(t *testing.T, dev sim.SPIDevice, cfg Config, f func(p *hal.Peripherals, b *Blocking)) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	c.SPI2().Attach(dev)
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		b, err := New(p.SPI2, cfg, Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2, CS: &p.GPIO10})
		require.NoError(t, err)
		f(p, b)
	}))
}

func pattern(b []byte, seed int) {
	for i := range b {
		b[i] = byte(i*31 + seed + i>>8)
	}
}

// TestDMALoopbackFullDuplex4KiB: 4 KiB out and back through a loopback device in one
// transaction, and how long it takes at 40 MHz.
func TestDMALoopbackFullDuplex4KiB(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	var took time.Duration
	runDMA(t, echo, Config{Frequency: 40_000_000, Clock: PLL80}, func(p *hal.Peripherals, b *Blocking) {
		defer b.Close()
		require.ErrorIs(t, b.TxDMA(dmaTx[:4], dmaRx[:4]), ErrNoDMA)
		require.NoError(t, b.EnableDMA(p.DMA1, dmaDescs[:]))
		tx, rx := dmaTx[:4096], dmaRx[:4096]
		pattern(tx, 1)
		clear(rx)
		t0 := systimer.Ticks()
		require.NoError(t, b.TxDMA(tx, rx))
		took = time.Duration(systimer.Ticks()-t0) * time.Second / 16_000_000
		assert.Equal(t, tx, rx)
	})
	assert.Equal(t, dmaTx[:4096], echo.Received())
	assert.Equal(t, 1, echo.Selects(), "one chip-select assertion")
	t.Logf("4 KiB full duplex by DMA at 40 MHz: %v", took)
	assert.InDelta(t, 819*time.Microsecond, took, float64(100*time.Microsecond), "4096 bytes at 40 MHz are 819.2 us on the wire")
}

func TestDMATxOnlyRxOnlyAndLong(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	runDMA(t, echo, Config{Frequency: 10_000_000, Clock: PLL80, Mode: Mode3, BitOrder: LSBFirst}, func(p *hal.Peripherals, b *Blocking) {
		defer b.Close()
		// 4 descriptors: 2 per direction, 8184 bytes a transaction.
		require.NoError(t, b.EnableDMA(p.DMA2, dmaDescs[:4]))
		pattern(dmaTx[:100], 7)
		require.NoError(t, b.TxDMA(dmaTx[:100], nil), "TX only")
		clear(dmaRx[:77])
		require.NoError(t, b.TxDMA(nil, dmaRx[:77]), "RX only")
		// A loopback device echoes MOSI; with MOSI idle (USR_MOSI off) the model sends zeros.
		assert.Equal(t, make([]byte, 77), dmaRx[:77])
		n := 20001 // three transactions, odd length, one chip select
		pattern(dmaTx[:n], 3)
		clear(dmaRx[:n])
		require.NoError(t, b.TxDMA(dmaTx[:n], dmaRx[:n]))
		assert.Equal(t, dmaTx[:n], dmaRx[:n])
		require.NoError(t, b.TxDMA(dmaTx[1:n], dmaRx[3:n+2]), "any alignment")
		assert.Equal(t, dmaTx[1:n], dmaRx[3:n+2])
		assert.ErrorIs(t, b.TxDMA(dmaTx[:10], dmaRx[:9]), ErrDMALength)
		assert.ErrorIs(t, b.TxDMA(nil, nil), ErrDMALength)
	})
	assert.Equal(t, 100+77+20001+20000, len(echo.Received()))
	assert.Equal(t, 4, echo.Selects(), "a long transfer keeps the chip select active across its transactions")
}

func TestDMAAsyncWakesByInterrupt(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	var polls int
	runDMA(t, echo, Config{Frequency: 1_000_000}, func(p *hal.Peripherals, b *Blocking) {
		require.NoError(t, b.EnableDMA(p.DMA0, dmaDescs[:]))
		a := b.IntoAsync()
		defer a.Close()
		ex, err := executor.Thread(executor.Options{Tasks: 2})
		require.NoError(t, err)
		defer ex.Close()
		pattern(dmaTx[:4096], 5)
		clear(dmaRx[:4096])
		f := a.TransferDMAAsync(dmaTx[:4096], dmaRx[:4096])
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
		assert.Equal(t, dmaTx[:4096], dmaRx[:4096])

		// The typed await, then its Poll path while a transaction is on the bus.
		var awaitErr error
		_, err = ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			awaitErr = a.AwaitTransferDMA(tk, dmaTx[:300], dmaRx[:300])
		}))
		require.NoError(t, err)
		ex.Run()
		require.NoError(t, awaitErr)
		assert.Equal(t, dmaTx[:300], dmaRx[:300])

		w, err := ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { return false }))
		require.NoError(t, err)
		cx := async.NewContext(w)
		g := a.TransferDMAAsync(dmaTx[:4096], dmaRx[:4096]) // 33 ms at 1 MHz
		_, done := g.Poll(cx)
		require.False(t, done)
		allocs := testing.AllocsPerRun(50, func() { _, done = g.Poll(cx) })
		assert.False(t, done)
		assert.Zero(t, allocs, "DMAFuture.Poll allocates")
		h := a.TransferDMAAsync(dmaTx[:4], dmaRx[:4])
		assert.Panics(t, func() { h.Poll(cx) }, "one transfer at a time")
		g.Cancel()
		err, done = g.Poll(cx)
		assert.True(t, done)
		assert.ErrorIs(t, err, ErrCanceled)
	})
	assert.Equal(t, 2, polls, "polled to start, then once when TRANS_DONE woke the task")
}
