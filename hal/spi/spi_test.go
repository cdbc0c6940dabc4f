package spi_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/spi"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// runSim runs firmware on a fresh chip after hal.Init; setup attaches devices first.
func runSim(t *testing.T, setup func(c *sim.Chip), firmware func(p *hal.Peripherals)) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(logWriter{t}), sim.Timeout(time.Minute))
	if setup != nil {
		setup(c)
	}
	var initErr error
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			initErr = err
			return
		}
		firmware(p)
	}))
	require.NoError(t, initErr)
}

// pins is the usual wiring: SCK GPIO6, MOSI GPIO7, MISO GPIO2, CS GPIO10 (the pads with
// FSPI functions on the ESP32-C3).
func pins(p *hal.Peripherals) spi.Pins {
	return spi.Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2, CS: &p.GPIO10}
}

func now() time.Duration {
	return time.Duration(systimer.Ticks()/systimer.TicksPerMicrosecond) * time.Microsecond
}

func TestFullDuplexThroughEchoDevices(t *testing.T) {
	loop := sim.NewSPIEcho(true)
	var got, shifted, padded, short []byte
	var one byte
	var err1, err2, err3, err4, err5 error
	var took time.Duration
	var freq uint32
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(loop) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{}, pins(p))
		require.NoError(t, err)
		defer b.Close()
		freq = b.Frequency()
		w := []byte("gohal over SPI2")
		got = make([]byte, len(w))
		t0 := now()
		err1 = b.Tx(w, got)
		took = now() - t0
		one, err2 = b.Transfer(0x5A)
		padded = make([]byte, 5)
		err3 = b.Tx([]byte{1, 2, 3}, padded) // the write is padded with zeros
		short = make([]byte, 2)
		err4 = b.Tx([]byte{9, 8, 7, 6}, short) // extra bytes read are dropped
		shifted = []byte{0xDE, 0xAD}
		err5 = b.TransferInPlace(shifted)
	})
	for _, err := range []error{err1, err2, err3, err4, err5} {
		require.NoError(t, err)
	}
	assert.Equal(t, uint32(1_000_000), freq)
	assert.Equal(t, "gohal over SPI2", string(got))
	assert.Equal(t, byte(0x5A), one)
	assert.Equal(t, []byte{1, 2, 3, 0, 0}, padded)
	assert.Equal(t, []byte{9, 8}, short)
	assert.Equal(t, []byte{0xDE, 0xAD}, shifted)
	// 15 bytes at 1 MHz: 120 µs on the wire, plus the CS setup and hold and the register
	// accesses around it.
	assert.InDelta(t, 120, took.Seconds()*1e6, 40, "took %v", took)
	assert.Equal(t, append([]byte("gohal over SPI2\x5A\x01\x02\x03\x00\x00\x09\x08\x07\x06"), 0xDE, 0xAD), loop.Received())
}

func TestChunksKeepTheChipSelectActive(t *testing.T) {
	echo := sim.NewSPIEcho(false) // a shift register: each byte comes back one byte later
	data := make([]byte, 200)
	for i := range data {
		data[i] = byte(i*3 + 1)
	}
	buf := append([]byte(nil), data...)
	var err, rerr, werr error
	zeros := make([]byte, 70)
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(echo) }, func(p *hal.Peripherals) {
		b, e := spi.New(p.SPI2, spi.Config{Frequency: 10_000_000}, pins(p))
		require.NoError(t, e)
		defer b.Close()
		err = b.TransferInPlace(buf) // 64 + 64 + 64 + 8
		werr = b.Write(data[:3])
		rerr = b.Read(zeros)
	})
	require.NoError(t, err)
	require.NoError(t, werr)
	require.NoError(t, rerr)
	assert.Equal(t, byte(0), buf[0], "the shift register starts empty")
	assert.Equal(t, data[:199], buf[1:], "every byte one later, across chunk boundaries")
	assert.Equal(t, 3, echo.Selects(), "each transfer is one chip-select assertion, chunks included")
	assert.Equal(t, data[2], zeros[0])
	assert.Equal(t, make([]byte, 69), zeros[1:], "Read sends zeros")
	assert.Len(t, echo.Received(), 273)
}

func TestModesAndBitOrder(t *testing.T) {
	type regs struct{ idle, out bool }
	var got [4]regs
	echo := sim.NewSPIEcho(true)
	var lsb []byte
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(echo) }, func(p *hal.Peripherals) {
		for m := spi.Mode0; m <= spi.Mode3; m++ {
			b, err := spi.New(p.SPI2, spi.Config{Mode: m}, pins(p))
			require.NoError(t, err)
			got[m] = regs{esp32c3.SPI2.SPI_MISC.Read().SPI_CK_IDLE_EDGE(), esp32c3.SPI2.SPI_USER.Read().SPI_CK_OUT_EDGE()}
			b.Close()
		}
		b, err := spi.New(p.SPI2, spi.Config{BitOrder: spi.LSBFirst}, pins(p))
		require.NoError(t, err)
		lsb = []byte{0x01, 0x03}
		require.NoError(t, b.TransferInPlace(lsb))
		b.Close()
	})
	// esp32c3-facts.md §8: CK_IDLE_EDGE (CPOL) for modes 2, 3; CK_OUT_EDGE for modes 1, 2.
	assert.Equal(t, [4]regs{{false, false}, {false, true}, {true, true}, {true, false}}, got)
	assert.Equal(t, []byte{0x80, 0xC0}, echo.Received()[len(echo.Received())-2:], "LSB first on the wire")
	assert.Equal(t, []byte{0x01, 0x03}, lsb, "and read back LSB first")
}

func TestConfigErrors(t *testing.T) {
	errs := map[string]error{}
	runSim(t, nil, func(p *hal.Peripherals) {
		try := func(name string, cfg spi.Config, pins spi.Pins) {
			b, err := spi.New(p.SPI2, cfg, pins)
			if err == nil {
				b.Close()
			}
			errs[name] = err
		}
		try("freq", spi.Config{Frequency: 12_000_000}, pins(p))
		try("pll", spi.Config{Frequency: 12_000_000, Clock: spi.PLL80}, pins(p)) // 80/7 = 11.4 MHz
		try("mode", spi.Config{Mode: 4}, pins(p))
		try("prio", spi.Config{Priority: 20}, pins(p))
		try("pin", spi.Config{}, spi.Pins{SCK: p.GPIO6, MOSI: &p.GPIO6})
		try("min", spi.Config{}, spi.Pins{SCK: p.GPIO4})
		_, err := spi.New(periph.StealSPI(1), spi.Config{}, pins(p))
		errs["spi1"] = err
	})
	var fe *spi.FrequencyError
	require.ErrorAs(t, errs["freq"], &fe)
	assert.Equal(t, uint32(13_333_333), fe.Nearest())
	assert.ErrorIs(t, errs["freq"], spi.ErrConfig)
	assert.NoError(t, errs["pll"])
	assert.EqualError(t, errs["mode"], "spi: Config.Mode = 4: the modes are 0..3")
	assert.ErrorIs(t, errs["prio"], spi.ErrConfig)
	assert.EqualError(t, errs["pin"], "GPIO6 is already in use by SPI2 SCK (wanted by SPI2 MOSI)")
	assert.NoError(t, errs["min"], "only SCK is required")
	assert.ErrorIs(t, errs["spi1"], periph.ErrNoSuchResource)
}

func TestStuckTransferTimesOut(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	var stuck, after error
	var took time.Duration
	got := make([]byte, 4)
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(echo) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{Timeout: 2 * time.Millisecond}, pins(p))
		require.NoError(t, err)
		defer b.Close()
		// A fault: the controller's clock stops. Its transfer never finishes.
		esp32c3.SPI2.SPI_CLK_GATE.Write(0)
		t0 := now()
		stuck = b.Write([]byte{1, 2, 3, 4})
		took = now() - t0
		after = b.Tx([]byte{5, 6, 7, 8}, got) // the timeout reset the controller
	})
	assert.ErrorIs(t, stuck, spi.ErrTimeout)
	assert.InDelta(t, 2, took.Seconds()*1000, 0.2, "timed out after %v", took)
	require.NoError(t, after)
	assert.Equal(t, []byte{5, 6, 7, 8}, got)
}

func TestConsumedDriverPanics(t *testing.T) {
	var afterAsync, afterBlocking, afterClose any
	var asyncTx, blockingTx error
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(sim.NewSPIEcho(true)) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{}, pins(p))
		require.NoError(t, err)
		a := b.IntoAsync()
		afterAsync = catch(func() { b.Write([]byte{1}) })
		asyncTx = a.Write([]byte{1}) // the async driver keeps the blocking methods
		b2 := a.IntoBlocking()
		afterBlocking = catch(func() { a.Write([]byte{1}) })
		blockingTx = b2.Write([]byte{2})
		b2.Close()
		afterClose = catch(func() { b2.Transfer(1) })
	})
	assert.Equal(t, "spi: this SPI2 Blocking driver was consumed by IntoAsync; use the Async driver it returned", afterAsync)
	assert.Equal(t, "spi: this SPI2 Async driver was consumed by IntoBlocking; use the Blocking driver it returned", afterBlocking)
	assert.Equal(t, "spi: this SPI2 driver was closed", afterClose)
	assert.NoError(t, asyncTx)
	assert.NoError(t, blockingTx)
}

func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// counter runs one future as a stackless task, counting its polls.
type counter struct {
	f     spi.Future
	polls int
	err   error
}

func (c *counter) Poll(cx *async.Context) bool {
	c.polls++
	err, ok := c.f.Poll(cx)
	if ok {
		c.err = err
	}
	return ok
}

func runTasks(t *testing.T, tasks ...async.Task) float64 {
	ex, err := executor.Thread(executor.Options{Tasks: len(tasks)})
	require.NoError(t, err)
	defer ex.Close()
	for _, task := range tasks {
		_, err := ex.Spawner().Spawn(task)
		require.NoError(t, err)
	}
	ex.Run()
	return ex.Idle()
}

func TestAsyncTransfersCompleteByInterrupt(t *testing.T) {
	echo := sim.NewSPIEcho(true)
	data := make([]byte, 256)
	for i := range data {
		data[i] = byte(255 - i)
	}
	got := make([]byte, 256)
	var task *counter
	var idle float64
	var ena uint32
	var inPlace, wr, rd error
	small := []byte{1, 2, 3}
	rbuf := make([]byte, 2)
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(echo) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{Frequency: 100_000}, pins(p))
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		// Four 64-byte chunks at 100 kHz: 5 ms each.
		task = &counter{f: a.TransferAsync(data, got)}
		idle = runTasks(t, task)
		ena = uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read())
		runTasks(t, async.GoNamed("others", func(tk *async.T) {
			f := a.TransferInPlaceAsync(small)
			inPlace = async.Await[error](tk, &f)
			f = a.WriteAsync([]byte{9})
			wr = async.Await[error](tk, &f)
			f = a.ReadAsync(rbuf)
			rd = async.Await[error](tk, &f)
		}))
	})
	require.NoError(t, task.err)
	assert.Equal(t, data, got)
	assert.LessOrEqual(t, task.polls, 6, "one poll per chunk, woken by TRANS_DONE")
	assert.Greater(t, idle, 0.95, "the CPU sleeps while the chunks move")
	assert.Zero(t, ena)
	require.NoError(t, inPlace)
	require.NoError(t, wr)
	require.NoError(t, rd)
	assert.Equal(t, []byte{1, 2, 3}, small)
	assert.Equal(t, []byte{0, 0}, rbuf)
	assert.True(t, bytes.HasSuffix(echo.Received(), []byte{1, 2, 3, 9, 0, 0}))
	t.Logf("%d polls, idle %.1f%%", task.polls, 100*idle)
}

func TestAsyncTimeoutAndCancel(t *testing.T) {
	resp := sim.NewSPIResponder(func(cmd byte, args []byte) []byte { return nil })
	var stuck, canceled, after error
	var took time.Duration
	var armed, disarmed uint32
	var txnsAfterCancel int
	runSim(t, func(c *sim.Chip) { c.SPI2().Attach(resp) }, func(p *hal.Peripherals) {
		b, err := spi.New(p.SPI2, spi.Config{Frequency: 100_000, Timeout: 3 * time.Millisecond}, pins(p))
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		runTasks(t, async.GoNamed("stuck", func(tk *async.T) {
			esp32c3.SPI2.SPI_CLK_GATE.Write(0)
			t0 := now()
			f := a.WriteAsync([]byte{1, 2})
			stuck = async.Await[error](tk, &f) // the Config.Timeout timer wakes the task
			took = now() - t0
		}))
		// Cancel in the middle of a three-chunk transfer: TRANS_DONE disabled, the controller
		// reset, the chip select released.
		cx := async.NewContext(0)
		f := a.WriteAsync(make([]byte, 150))
		_, done := f.Poll(cx)
		require.False(t, done)
		armed = uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read())
		f.Cancel()
		disarmed = uint32(esp32c3.SPI2.SPI_DMA_INT_ENA.Read())
		canceled, _ = f.Poll(cx)
		txnsAfterCancel = len(resp.Transactions())
		after = a.Write([]byte{7})
	})
	assert.ErrorIs(t, stuck, spi.ErrTimeout)
	assert.InDelta(t, 3, took.Seconds()*1000, 0.3, "timed out after %v", took)
	assert.NotZero(t, armed)
	assert.Zero(t, disarmed)
	assert.ErrorIs(t, canceled, spi.ErrCanceled)
	assert.Equal(t, 1, txnsAfterCancel, "the cancelled transfer ended its chip-select assertion")
	require.NoError(t, after)
	txns := resp.Transactions()
	require.Len(t, txns, 2)
	assert.Equal(t, []byte{7}, txns[1])
}

// TestEveryRegisterTouchedIsModelled checks that the simulator gave every SPI2 register
// the driver touched its behaviour.
func TestEveryRegisterTouchedIsModelled(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(logWriter{t}), sim.Timeout(time.Minute))
	c.SPI2().Attach(sim.NewSPIEcho(true))
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		b, err := spi.New(p.SPI2, spi.Config{Mode: spi.Mode3, BitOrder: spi.LSBFirst, Timeout: time.Millisecond}, pins(p))
		require.NoError(t, err)
		buf := make([]byte, 100)
		require.NoError(t, b.TransferInPlace(buf))
		esp32c3.SPI2.SPI_CLK_GATE.Write(0)
		require.ErrorIs(t, b.Write(buf[:2]), spi.ErrTimeout)
		a := b.IntoAsync()
		f := a.ReadAsync(buf)
		for {
			if err, ok := f.Poll(async.NewContext(0)); ok {
				require.NoError(t, err)
				break
			}
		}
		a.Close()
	}))
	var ours []uintptr
	for _, addr := range c.UnmodelledAccesses() {
		if addr >= esp32c3.SPI2Base && addr < esp32c3.SPI2Base+0x1000 {
			ours = append(ours, addr-esp32c3.SPI2Base)
		}
	}
	assert.Empty(t, ours, "SPI2 registers the simulator keeps as memory")
}
