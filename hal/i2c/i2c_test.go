package i2c_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// logWriter sends the simulator's log to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// runSim runs firmware on a fresh chip after hal.Init; setup attaches devices first.
func runSim(t *testing.T, setup func(c *sim.Chip), firmware func(p *hal.Peripherals)) *sim.Chip {
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
	return c
}

// delay waits d of virtual time on the SYSTIMER.
func delay(d time.Duration) {
	end := systimer.Ticks() + uint64(d/time.Microsecond)*systimer.TicksPerMicrosecond
	for systimer.Ticks() < end {
	}
}

// nackAfter is a device that acknowledges its address and then limit data bytes.
type nackAfter struct {
	mu       sync.Mutex
	limit    int
	accepted int
}

func (d *nackAfter) Start(read bool) bool { return true }
func (d *nackAfter) Write(b byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.accepted >= d.limit {
		return false
	}
	d.accepted++
	return true
}
func (d *nackAfter) Read(ack bool) byte { return 0 }
func (d *nackAfter) Stop()              {}

func TestTimingRegistersAsEspHal(t *testing.T) {
	type regs struct{ clk, low, high, hold, sample, rsetup, ssetup, shold, sthold, to, st, mst, ctr, filt uint32 }
	var got100, got400 regs
	var f100, f400 uint32
	read := func() regs {
		r := esp32c3.I2C0
		return regs{uint32(r.CLK_CONF.Read()), uint32(r.SCL_LOW_PERIOD.Read()), uint32(r.SCL_HIGH_PERIOD.Read()),
			uint32(r.SDA_HOLD.Read()), uint32(r.SDA_SAMPLE.Read()), uint32(r.SCL_RSTART_SETUP.Read()),
			uint32(r.SCL_STOP_SETUP.Read()), uint32(r.SCL_START_HOLD.Read()), uint32(r.SCL_STOP_HOLD.Read()),
			uint32(r.TO.Read()), uint32(r.SCL_ST_TIME_OUT.Read()), uint32(r.SCL_MAIN_ST_TIME_OUT.Read()),
			uint32(r.CTR.Read()), uint32(r.FILTER_CFG.Read())}
	}
	runSim(t, nil, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		got100, f100 = read(), b.Frequency()
		b.Close()
		b, err = i2c.New(p.I2C0, i2c.Config{Frequency: 400_000, BusTimeout: 10}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		got400, f400 = read(), b.Frequency()
		b.Close()
	})
	// 100 kHz from 40 MHz (esp32c3-facts.md §7): div 1, h = 200, SCL low 199, high 102 +
	// wait 98, SDA hold 49, sample 99, setup/hold 199, bus timeout off, FSM timeouts 2^23.
	assert.Equal(t, regs{clk: 1 << 21, low: 199, high: 102 | 98<<9, hold: 49, sample: 99,
		rsetup: 199, ssetup: 199, shold: 199, sthold: 199, to: 1, st: 23, mst: 23,
		ctr: 1<<4 | 3 | 1<<8, filt: 7 | 7<<4 | 3<<8}, got100)
	assert.Equal(t, uint32(100_000), f100)
	// 400 kHz: h = 50, wait 23, high 27, hold 11, sample 24; a 10-cycle bus timeout is
	// 10·2·50 = 1000 clocks, rounded up to 2^10.
	assert.Equal(t, uint32(49), got400.low)
	assert.Equal(t, uint32(27|23<<9), got400.high)
	assert.Equal(t, uint32(11), got400.hold)
	assert.Equal(t, uint32(24), got400.sample)
	assert.Equal(t, uint32(1<<5|10), got400.to)
	assert.Equal(t, uint32(400_000), f400)
}

func TestEEPROMPageWriteAndReadBack(t *testing.T) {
	rom := sim.NewAT24C(4096, 32)
	page := make([]byte, 32)
	for i := range page {
		page[i] = byte(0xA0 + i)
	}
	got := make([]byte, 32)
	var writeErr, readErr error
	var busyErrs int
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x50, rom) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer b.Close()
		// 2 address bytes + 32 data bytes: chunks of 31 and 3 joined by END.
		writeErr = b.Write(0x50, append([]byte{0x01, 0x00}, page...))
		// Acknowledge polling: the EEPROM ignores its address during its write cycle.
		for {
			readErr = b.WriteRead(0x50, []byte{0x01, 0x00}, got)
			if !errors.Is(readErr, i2c.ErrAddressNACK) {
				break
			}
			busyErrs++
		}
	})
	require.NoError(t, writeErr)
	require.NoError(t, readErr)
	assert.Equal(t, page, got)
	assert.Equal(t, page, rom.Contents()[0x100:0x120])
	assert.Greater(t, busyErrs, 5, "the write cycle (5 ms) must NACK the address for a while")
}

func TestChunkingEveryLength(t *testing.T) {
	s := sim.NewRegisterSensor()
	for r := 0; r < 256; r++ {
		s.Set(byte(r), byte(r*7+1))
	}
	var failures []string
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x68, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{Frequency: 1_000_000}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer b.Close()
		for n := 1; n <= 100; n++ {
			buf := make([]byte, n)
			if err := b.WriteRead(0x68, []byte{0x10}, buf); err != nil {
				failures = append(failures, err.Error())
				continue
			}
			for i, v := range buf {
				if v != byte((0x10+i)*7+1) {
					failures = append(failures, "read mismatch")
					break
				}
			}
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(n + i)
			}
			if err := b.Write(0x68, append([]byte{0x80}, data...)); err != nil {
				failures = append(failures, err.Error())
			}
			back := make([]byte, n)
			// The same read as a Transaction, split in two reads that continue each other.
			if err := b.Transaction(0x68, i2c.Write([]byte{0x80}), i2c.Read(back[:n/2]), i2c.Read(back[n/2:])); err != nil {
				failures = append(failures, err.Error())
			}
			if !bytes.Equal(back, data) {
				failures = append(failures, "write/read-back mismatch")
			}
		}
	})
	assert.Empty(t, failures)
}

func TestNACKOnAddressVersusData(t *testing.T) {
	picky := &nackAfter{limit: 2}
	var absent, probe, present, data, tx error
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x30, picky) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer b.Close()
		absent = b.Write(0x31, []byte{1, 2, 3})
		probe = b.Write(0x31, nil)
		present = b.Write(0x30, nil)
		data = b.Write(0x30, []byte{1, 2, 3, 4})
		tx = b.Tx(0x31, []byte{1}, make([]byte, 2))
	})
	assert.ErrorIs(t, absent, i2c.ErrAddressNACK)
	assert.ErrorIs(t, absent, i2c.ErrNACK)
	assert.ErrorIs(t, probe, i2c.ErrAddressNACK)
	assert.NoError(t, present, "an empty write probes the address")
	assert.ErrorIs(t, data, i2c.ErrDataNACK)
	assert.NotErrorIs(t, data, i2c.ErrAddressNACK)
	assert.ErrorIs(t, tx, i2c.ErrAddressNACK)
}

func TestArbitrationLost(t *testing.T) {
	s := sim.NewRegisterSensor(0x11, 0x22)
	var single, multi, after error
	runSim(t, func(c *sim.Chip) {
		c.I2C0().Attach(0x68, s)
		c.I2C0().SetOtherMaster(func(sent byte) byte { return 0x50 << 1 }) // talks to 0x50
	}, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		single = b.Write(0x68, []byte{0})
		b.Close()
		b, err = i2c.New(p.I2C0, i2c.Config{MultiMaster: true}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		multi = b.Write(0x68, []byte{0})
		after = b.Write(0x50, nil) // bit for bit what the other master sends
		b.Close()
	})
	// Without arbitration the collision goes unnoticed and garbles the address.
	assert.ErrorIs(t, single, i2c.ErrAddressNACK)
	assert.ErrorIs(t, multi, i2c.ErrArbitrationLost)
	// Addressing 0x50 ourselves agrees bit for bit with the other master: no loss, but
	// nobody is at 0x50.
	assert.ErrorIs(t, after, i2c.ErrAddressNACK)
}

func TestHardwareTimeoutOnClockStretching(t *testing.T) {
	s := sim.NewRegisterSensor(1, 2, 3)
	var fsm, bus, soft, recovered error
	var fsmTook, busTook, softTook time.Duration
	c := runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) {
		buf := make([]byte, 2)
		measure := func(f func() error) (error, time.Duration) {
			t0 := systimer.Ticks()
			err := f()
			return err, time.Duration((systimer.Ticks()-t0)/systimer.TicksPerMicrosecond) * time.Microsecond
		}
		s.SetStretch(50 * time.Millisecond)
		// The SCL state-machine timeout at 2^16 clocks of 40 MHz: 1.6 ms.
		b, err := i2c.New(p.I2C0, i2c.Config{FSMTimeout: 16}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		fsm, fsmTook = measure(func() error { return b.WriteRead(0x40, []byte{0}, buf) })
		b.Close()
		// The bus timeout: 20 SCL periods = 4000 clocks, rounded up to 2^12 (102 µs).
		b, err = i2c.New(p.I2C0, i2c.Config{BusTimeout: 20}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		bus, busTook = measure(func() error { return b.WriteRead(0x40, []byte{0}, buf) })
		b.Close()
		// Hardware timeouts longer than the software one: the software one fires.
		b, err = i2c.New(p.I2C0, i2c.Config{Timeout: 3 * time.Millisecond}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		soft, softTook = measure(func() error { return b.WriteRead(0x40, []byte{0}, buf) })
		s.SetStretch(0)
		recovered = b.WriteRead(0x40, []byte{1}, buf)
		b.Close()
	})
	_ = c
	assert.ErrorIs(t, fsm, i2c.ErrBusTimeout)
	assert.ErrorIs(t, fsm, i2c.ErrTimeout, "a hardware timeout is a timeout")
	assert.InDelta(t, 1.6, fsmTook.Seconds()*1000, 0.6, "FSM timeout after %v", fsmTook)
	assert.ErrorIs(t, bus, i2c.ErrBusTimeout)
	assert.Less(t, busTook, time.Millisecond, "bus timeout after %v", busTook)
	assert.ErrorIs(t, soft, i2c.ErrTimeout)
	assert.NotErrorIs(t, soft, i2c.ErrBusTimeout)
	assert.InDelta(t, 3, softTook.Seconds()*1000, 1, "software timeout after %v", softTook)
	assert.NoError(t, recovered, "the bus works again after a timeout")
}

func TestAddressesAndTenBit(t *testing.T) {
	s := sim.NewRegisterSensor()
	s.Set(0x10, 0xAB)
	s.Set(0x11, 0xCD)
	s.Set(0x12, 0xEF)
	s.Set(0x13, 0x01)
	var over7, over10, w, wr, rd error
	got := make([]byte, 2)
	whole := make([]byte, 2)
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach10(0x2C5, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer b.Close()
		over7 = b.Write(0x80, []byte{1})
		over10 = b.Write(i2c.TenBit|0x400, []byte{1})
		w = b.Write(i2c.TenBit|0x2C5, []byte{0x20, 0x5A})
		wr = b.WriteRead(i2c.TenBit|0x2C5, []byte{0x10}, got)
		// A read on its own writes the full address first, then the read form.
		rd = b.Read(i2c.TenBit|0x2C5, whole)
	})
	var ae i2c.AddressError
	require.ErrorAs(t, over7, &ae)
	assert.Equal(t, "i2c: address 0x80 does not fit 7 bits; give a 10-bit address with the TenBit flag (i2c.TenBit|0x80)", over7.Error())
	assert.EqualError(t, over10, "i2c: address 0x400 does not fit 10 bits")
	require.NoError(t, w)
	assert.Equal(t, byte(0x5A), s.Get(0x20))
	require.NoError(t, wr)
	assert.Equal(t, []byte{0xAB, 0xCD}, got)
	require.NoError(t, rd)
	assert.Equal(t, []byte{0xEF, 0x01}, whole, "the read continues from the register pointer")
}

func TestConfigErrorsNameTheNearestValue(t *testing.T) {
	errs := map[string]error{}
	runSim(t, nil, func(p *hal.Peripherals) {
		try := func(name string, cfg i2c.Config, sda, scl periph.Pin) {
			b, err := i2c.New(p.I2C0, cfg, sda, scl)
			if err == nil {
				b.Close()
			}
			errs[name] = err
		}
		try("fast", i2c.Config{Frequency: 3_400_000}, p.GPIO5, p.GPIO6)
		try("slow", i2c.Config{Frequency: 100}, p.GPIO5, p.GPIO6)
		try("fsm", i2c.Config{FSMTimeout: 30}, p.GPIO5, p.GPIO6)
		try("bus", i2c.Config{BusTimeout: 1 << 30}, p.GPIO5, p.GPIO6)
		try("prio", i2c.Config{Priority: 16}, p.GPIO5, p.GPIO6)
		try("samepin", i2c.Config{}, p.GPIO5, p.GPIO5)
		try("ok", i2c.Config{Frequency: 153}, p.GPIO5, p.GPIO6)
		held, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		try("twice", i2c.Config{}, p.GPIO7, p.GPIO8)
		held.Close()
		try("again", i2c.Config{}, p.GPIO5, p.GPIO6)
	})
	var ce *i2c.ConfigError
	require.ErrorAs(t, errs["fast"], &ce)
	assert.Equal(t, uint32(1_000_000), ce.Nearest)
	assert.EqualError(t, errs["fast"], "i2c: Config.Frequency = 3400000: the controller reaches 153 Hz to 1 MHz from its 40 MHz clock; the nearest that works is 1000000")
	require.ErrorAs(t, errs["slow"], &ce)
	assert.Equal(t, uint32(153), ce.Nearest)
	require.ErrorAs(t, errs["fsm"], &ce)
	assert.Equal(t, "FSMTimeout", ce.Field)
	assert.Equal(t, uint32(23), ce.Nearest)
	require.ErrorAs(t, errs["bus"], &ce)
	assert.Equal(t, "BusTimeout", ce.Field)
	assert.Equal(t, uint32(1<<31/400), ce.Nearest)
	require.ErrorAs(t, errs["prio"], &ce)
	assert.EqualError(t, errs["samepin"], "GPIO5 is already in use by I2C0 SDA (wanted by I2C0 SCL)")
	assert.NoError(t, errs["ok"])
	assert.EqualError(t, errs["twice"], "I2C0 is already in use by an i2c master driver (wanted by an i2c master driver)")
	assert.NoError(t, errs["again"], "Close gives the controller and pins back")
}

func TestConsumedDriverPanics(t *testing.T) {
	var afterAsync, afterBlocking, afterClose any
	var asyncWrite, blockingWrite error
	rom := sim.NewAT24C(256, 8)
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x50, rom) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		afterAsync = catch(func() { b.Write(0x50, nil) })
		asyncWrite = a.Write(0x50, []byte{0, 1}) // the async driver keeps the blocking methods
		b2 := a.IntoBlocking()
		afterBlocking = catch(func() { a.Write(0x50, nil) })
		delay(6 * time.Millisecond)
		blockingWrite = b2.Write(0x50, []byte{1, 2})
		b2.Close()
		afterClose = catch(func() { b2.Read(0x50, make([]byte, 1)) })
	})
	assert.Equal(t, "i2c: this I2C0 Blocking driver was consumed by IntoAsync; use the Async driver it returned", afterAsync)
	assert.Equal(t, "i2c: this I2C0 Async driver was consumed by IntoBlocking; use the Blocking driver it returned", afterBlocking)
	assert.Equal(t, "i2c: this I2C0 driver was closed", afterClose)
	assert.NoError(t, asyncWrite)
	assert.NoError(t, blockingWrite)
	assert.Equal(t, []byte{1, 2}, rom.Contents()[:2])
}

func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// TestEveryRegisterTouchedIsModelled runs blocking and async transfers, errors and a bus
// clear, and checks that the simulator gave every I2C0 register the driver touched its
// behaviour; FILTER_CFG, which the model keeps as memory (it filters no glitches), is the
// one exception.
func TestEveryRegisterTouchedIsModelled(t *testing.T) {
	var chip *sim.Chip
	s := sim.NewRegisterSensor(1, 2, 3)
	runSim(t, func(c *sim.Chip) { chip = c; c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{BusTimeout: 100, MultiMaster: true}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		buf := make([]byte, 40)
		require.NoError(t, b.WriteRead(0x40, []byte{0}, buf))
		require.Error(t, b.Write(0x41, []byte{1}))
		s.SetStretch(time.Second)
		require.ErrorIs(t, b.Read(0x40, buf), i2c.ErrBusTimeout)
		s.SetStretch(0)
		a := b.IntoAsync()
		f := a.ReadAsync(0x40, buf)
		for {
			if err, ok := f.Poll(asyncContext()); ok {
				require.NoError(t, err)
				break
			}
		}
		a.Close()
	})
	var ours []uintptr
	for _, addr := range chip.UnmodelledAccesses() {
		if addr >= esp32c3.I2C0Base && addr < esp32c3.I2C0Base+0x1000 {
			ours = append(ours, addr-esp32c3.I2C0Base)
		}
	}
	assert.Equal(t, []uintptr{0x50}, ours, "I2C0 registers the simulator keeps as memory")
}

func asyncContext() *async.Context { return async.NewContext(0) }
