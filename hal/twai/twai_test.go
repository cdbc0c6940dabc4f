//go:build !tinygo

package twai_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/twai"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func run(t *testing.T, setup func(c *sim.Chip), firmware func(c *sim.Chip)) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	if setup != nil {
		setup(c)
	}
	require.NoError(t, c.Run(func() { firmware(c) }))
	return c
}

func mustInit(timeDriver bool) *hal.Peripherals {
	p, err := hal.Init(hal.Config{NoTimeDriver: !timeDriver})
	if err != nil {
		panic(err)
	}
	return p
}

func mustNew(p *hal.Peripherals, cfg twai.Config) *twai.Blocking {
	d, err := twai.New(p.TWAI0, cfg, p.GPIO2, p.GPIO3)
	if err != nil {
		panic(err)
	}
	return d
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTimingFor(t *testing.T) {
	for rate, want := range map[int]twai.Timing{125_000: twai.Timing125k, 250_000: twai.Timing250k, 500_000: twai.Timing500k, 1_000_000: twai.Timing1M, 25_000: twai.Timing25k} {
		got, err := twai.TimingFor(rate)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d", rate)
		assert.Equal(t, rate, got.BitRate())
	}
	assert.Equal(t, twai.Timing{BRP: 32, TSeg1: 15, TSeg2: 4, SJW: 3}, twai.Timing125k, "esp-hal's B125K")

	got, err := twai.TimingFor(33_333) // GMLAN single-wire: 80 MHz / 2400 = 33 333.3
	require.NoError(t, err)
	assert.InDelta(t, 33_333, got.BitRate(), 1)
	assert.InDelta(t, 800, got.SamplePoint(), 60)

	var br *twai.BitRateError
	_, err = twai.TimingFor(20_000)
	require.ErrorAs(t, err, &br)
	assert.Equal(t, 25_000, br.Nearest)
	assert.ErrorIs(t, err, twai.ErrConfig)
	_, err = twai.TimingFor(1_200_000)
	require.ErrorAs(t, err, &br)
	assert.Equal(t, 1_000_000, br.Nearest)
	_, err = twai.TimingFor(999_500) // 500 ppm off 1M: within the tolerance
	require.NoError(t, err)
	_, err = twai.TimingFor(997_000)
	require.ErrorAs(t, err, &br)
	assert.Equal(t, 1_000_000, br.Nearest)
	assert.Equal(t, "twai: bit rate 997000 is not reachable within 0.1 % from the 80 MHz APB clock (BRP even 2..16384, 8..25 quanta per bit): nearest reachable 1000000", err.Error())
}

func TestConfigErrors(t *testing.T) {
	var errs []error
	var owner error
	run(t, nil, func(c *sim.Chip) {
		p := mustInit(false)
		for _, cfg := range []twai.Config{
			{},
			{BitRate: 10_000},
			{Timing: twai.Timing{BRP: 7, TSeg1: 15, TSeg2: 4, SJW: 3}},
			{Timing: twai.Timing{BRP: 8, TSeg1: 15, TSeg2: 4, SJW: 5}},
			{BitRate: 500_000, Filter: twai.DualExtended(0x1000000, 0x1FFFFFFF, 0, 0)},
			{BitRate: 500_000, Filter: twai.SingleStandard(0x800, 0x7FF)},
		} {
			_, err := twai.New(p.TWAI0, cfg, p.GPIO2, p.GPIO3)
			errs = append(errs, err)
		}
		d := mustNew(p, twai.Config{BitRate: 500_000})
		_, owner = twai.New(periph.StealTWAI(0), twai.Config{BitRate: 500_000}, p.GPIO4, p.GPIO5)
		d.Close()
	})
	for _, err := range errs {
		assert.ErrorIs(t, err, twai.ErrConfig)
	}
	assert.Contains(t, errs[0].Error(), "Config.BitRate is 0")
	assert.Contains(t, errs[1].Error(), "nearest reachable 25000")
	assert.Contains(t, errs[2].Error(), "nearest valid 6 or 8")
	assert.Contains(t, errs[3].Error(), "nearest valid 4")
	assert.Contains(t, errs[4].Error(), "bits 28..13 only")
	var inUse *periph.InUseError
	require.True(t, errors.As(owner, &inUse))
	assert.Equal(t, "TWAI0 is already in use by twai.New (wanted by twai.New)", owner.Error())
}

// TestRoundTrip: frames both ways at 500 kbit/s, standard, extended and remote.
func TestRoundTrip(t *testing.T) {
	var got []twai.Frame
	var sentAt time.Duration
	var timing twai.Timing
	c := run(t, func(c *sim.Chip) {
		c.TWAI().SendAt(2*time.Millisecond, sim.TWAIFrame{ID: 0x7E8, Data: []byte{4, 0x41, 0x0C, 0x1A, 0xF8}})
		c.TWAI().SendAt(2*time.Millisecond, sim.TWAIFrame{ID: 0x18DAF110, Extended: true, Data: []byte{1}})
		c.TWAI().SendAt(2*time.Millisecond, sim.TWAIFrame{ID: 0x55, Remote: true, DLC: 8})
	}, func(c *sim.Chip) {
		d := mustNew(mustInit(false), twai.Config{BitRate: 500_000, ReceiveTimeout: 50 * time.Millisecond})
		timing = d.Timing()
		for _, f := range []twai.Frame{
			must(twai.StandardFrame(0x7DF, []byte{2, 1, 0x0C})),
			must(twai.ExtendedFrame(0x18DB33F1, []byte{1, 2, 3, 4, 5, 6, 7, 8})),
			must(twai.RemoteFrame(0x123, false, 2)),
		} {
			if err := d.Transmit(f); err != nil {
				panic(err)
			}
		}
		sentAt = c.Now()
		for i := 0; i < 3; i++ {
			got = append(got, must(d.Receive()))
		}
		if _, err := d.Receive(); !errors.Is(err, twai.ErrReceiveTimeout) {
			panic("want a receive timeout")
		}
		d.Close()
	})
	assert.Equal(t, twai.Timing500k, timing)
	rx := c.TWAI().Received()
	require.Len(t, rx, 3)
	assert.Equal(t, sim.TWAIFrame{ID: 0x7DF, DLC: 3, Data: []byte{2, 1, 0x0C}}, rx[0])
	assert.Equal(t, sim.TWAIFrame{ID: 0x18DB33F1, Extended: true, DLC: 8, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, rx[1])
	assert.Equal(t, sim.TWAIFrame{ID: 0x123, Remote: true, DLC: 2}, rx[2])
	bus := c.TWAI().Bus()
	require.Len(t, bus, 6)
	assert.Equal(t, time.Duration(sim.TWAIFrameBits(rx[1]))*2*time.Microsecond, bus[1].End-bus[1].Start, "2 µs a bit")
	assert.Less(t, sentAt-bus[2].End, 20*time.Microsecond, "Transmit returns when the frame is sent")

	require.Len(t, got, 3, "the node sends its frames in order")
	assert.Equal(t, uint32(0x7E8), got[0].ID)
	assert.Equal(t, []byte{4, 0x41, 0x0C, 0x1A, 0xF8}, got[0].Payload())
	assert.Equal(t, uint32(0x18DAF110), got[1].ID)
	assert.True(t, got[1].Extended)
	assert.Equal(t, uint32(0x55), got[2].ID)
	assert.True(t, got[2].Remote)
	assert.Equal(t, uint8(8), got[2].DLC)
	assert.Empty(t, got[2].Payload())
}

// TestFilter: a single standard filter for 0x100..0x10F passes those and nothing else; a
// dual extended filter passes two ranges.
func TestFilter(t *testing.T) {
	var single, dual []uint32
	run(t, func(c *sim.Chip) {
		for i, id := range []uint32{0x100, 0x10F, 0x110, 0x200, 0x000} {
			c.TWAI().SendAt(time.Duration(i+1)*time.Millisecond, sim.TWAIFrame{ID: id, Data: []byte{byte(i)}})
		}
		for i, id := range []uint32{0x18FF0000, 0x18FF1FFF, 0x18FE0000, 0x0CF00400, 0x0CF02000} {
			c.TWAI().SendAt(time.Duration(i+20)*time.Millisecond, sim.TWAIFrame{ID: id, Extended: true})
		}
	}, func(c *sim.Chip) {
		p := mustInit(false)
		d := mustNew(p, twai.Config{BitRate: 250_000, Filter: twai.SingleStandard(0x100, 0x7F0), ReceiveTimeout: 10 * time.Millisecond})
		for {
			f, err := d.Receive()
			if err != nil {
				break
			}
			single = append(single, f.ID)
		}
		d.Close()
		d = mustNew(p, twai.Config{BitRate: 250_000, Filter: twai.DualExtended(0x18FF0000, 0x1FFFE000, 0x0CF00000, 0x1FFFE000), ReceiveTimeout: 20 * time.Millisecond})
		for {
			f, err := d.Receive()
			if err != nil {
				break
			}
			dual = append(dual, f.ID)
		}
		d.Close()
	})
	assert.Equal(t, []uint32{0x100, 0x10F}, single)
	assert.Equal(t, []uint32{0x18FF0000, 0x18FF1FFF, 0x0CF00400}, dual)
}

// TestNoAckBusOffAndRecovery: alone on the bus the transmission times out at TEC 128
// (error-passive); with a node answering error frames the controller goes bus-off;
// Recover brings it back after 128 × 11 bits, and frames go through again.
func TestNoAckBusOffAndRecovery(t *testing.T) {
	var errAlone, errBusOff, errRecover, errAfter, errWhileOff error
	var alone, off, recovered twai.Status
	var recoverTook time.Duration
	c := run(t, func(c *sim.Chip) { c.TWAI().SetAck(sim.TWAIAckNone) }, func(c *sim.Chip) {
		d := mustNew(mustInit(false), twai.Config{BitRate: 125_000, TransmitTimeout: 50 * time.Millisecond})
		f := must(twai.StandardFrame(0x321, []byte{0xAB}))
		errAlone = d.Transmit(f)
		alone = d.Status()
		c.TWAI().SetAck(sim.TWAIAckNoneErrorFrame)
		errBusOff = d.Transmit(f)
		off = d.Status()
		errWhileOff = d.Transmit(f)
		c.TWAI().SetAck(sim.TWAIAckAll)
		start := c.Now()
		errRecover = d.Recover()
		recoverTook = c.Now() - start
		recovered = d.Status()
		errAfter = d.Transmit(f)
		d.Close()
	})
	assert.ErrorIs(t, errAlone, twai.ErrTransmitTimeout)
	assert.ErrorIs(t, errAlone, twai.ErrTimeout)
	assert.Equal(t, twai.Status{State: twai.ErrorPassive, TXErrors: 128}, alone)
	assert.ErrorIs(t, errBusOff, twai.ErrBusOff)
	assert.Equal(t, twai.BusOff, off.State)
	assert.Equal(t, 127, off.TXErrors)
	assert.ErrorIs(t, errWhileOff, twai.ErrBusOff)
	require.NoError(t, errRecover)
	assert.InDelta(t, float64(1408*8*time.Microsecond), float64(recoverTook), float64(50*time.Microsecond), "128 × 11 bits at 125 kbit/s")
	assert.Equal(t, twai.Status{State: twai.ErrorActive}, recovered)
	require.NoError(t, errAfter)
	assert.Len(t, c.TWAI().Received(), 1)
}

// TestSelfTest: one pin for TX and RX, SelfTest mode, nobody acknowledging: every frame
// comes back in the RX FIFO.
func TestSelfTest(t *testing.T) {
	var got twai.Frame
	var st twai.Status
	run(t, func(c *sim.Chip) { c.TWAI().SetAck(sim.TWAIAckNone) }, func(c *sim.Chip) {
		p := mustInit(false)
		d, err := twai.New(p.TWAI0, twai.Config{BitRate: 1_000_000, Mode: twai.SelfTest}, p.GPIO2, periph.StealPin(2)) // the same pin both ways
		if err != nil {
			panic(err)
		}
		if err := d.Transmit(must(twai.ExtendedFrame(0xABCDE, []byte("loop")))); err != nil {
			panic(err)
		}
		got = must(d.Receive())
		st = d.Status()
		d.Close()
	})
	assert.Equal(t, uint32(0xABCDE), got.ID)
	assert.Equal(t, "loop", string(got.Payload()))
	assert.Equal(t, twai.Status{}, st)
}

func TestListenOnly(t *testing.T) {
	var err error
	var f twai.Frame
	run(t, func(c *sim.Chip) {
		c.TWAI().InjectError(sim.TWAIBitError)
		c.TWAI().SendAt(time.Millisecond, sim.TWAIFrame{ID: 1, Data: []byte{9}})
	}, func(c *sim.Chip) {
		d := mustNew(mustInit(false), twai.Config{BitRate: 500_000, Mode: twai.ListenOnly})
		err = d.Transmit(must(twai.StandardFrame(1, nil)))
		f = must(d.Receive())
		if d.Status().RXErrors != 0 {
			panic("listen-only counts no errors")
		}
		d.Close()
	})
	assert.ErrorIs(t, err, twai.ErrListenOnly)
	assert.Equal(t, []byte{9}, f.Payload())
}

// runAsync runs firmware with the time driver, a thread executor and the driver in async
// mode.
func runAsync(t *testing.T, setup func(c *sim.Chip), cfg twai.Config, body func(c *sim.Chip, ex *executor.Executor, d *twai.Async)) *sim.Chip {
	t.Helper()
	return run(t, setup, func(c *sim.Chip) {
		p := mustInit(true)
		defer systimer.Stop()
		d := mustNew(p, cfg).IntoAsync()
		defer d.Close()
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		body(c, ex, d)
		ex.Run()
	})
}

// TestAsyncWake: the receive sleeps until the node's frame ends (RX interrupt); the
// transmit until the frame is sent (TX interrupt); an injected error wakes AwaitEvent; the
// CPU sleeps meanwhile.
func TestAsyncWake(t *testing.T) {
	var got twai.Frame
	var gotAt, sentAt, evAt time.Duration
	var txErr error
	var e twai.Event
	var ena uint32
	var idle, total uint64
	c := runAsync(t, func(c *sim.Chip) {
		c.TWAI().SendAt(5*time.Millisecond, sim.TWAIFrame{ID: 0x10, Data: []byte{1, 2}})
		c.TWAI().OnReceive(func(f sim.TWAIFrame) {
			c.TWAI().InjectErrorAt(c.Now(), sim.TWAIStuffError)
			c.TWAI().SendAt(c.Now()+time.Millisecond, sim.TWAIFrame{ID: f.ID + 1})
		})
	}, twai.Config{BitRate: 250_000}, func(c *sim.Chip, ex *executor.Executor, d *twai.Async) {
		ex.Spawner().Spawn(async.Go(func(t *async.T) {
			var err error
			got, err = d.AwaitReceive(t)
			if err != nil {
				panic(err)
			}
			gotAt = c.Now()
			txErr = d.AwaitTransmit(t, must(twai.StandardFrame(0x20, []byte{3})))
			sentAt = c.Now()
			e = d.AwaitEvent(t)
			evAt = c.Now()
			if _, err := d.AwaitReceive(t); err != nil {
				panic(err)
			}
			ena = uint32(esp32c3.TWAI0.INT_ENA.Read())
		}))
		ex.Run()
		idle, total = ex.IdleCycles()
	})
	bus := c.TWAI().Bus()
	require.Len(t, bus, 4)
	assert.Equal(t, uint32(0x10), got.ID)
	assert.GreaterOrEqual(t, gotAt, bus[0].End)
	assert.Less(t, gotAt-bus[0].End, 20*time.Microsecond, "woken by the RX interrupt")
	require.NoError(t, txErr)
	assert.Less(t, sentAt-bus[1].End, 20*time.Microsecond, "woken by the TX interrupt")
	assert.True(t, e.BusError)
	assert.Equal(t, twai.StuffError, e.ErrorType)
	assert.True(t, e.Receiving)
	assert.Equal(t, 1, e.Status.RXErrors)
	assert.Equal(t, sim.TWAIStuffError, bus[2].Error)
	assert.Less(t, evAt-bus[2].End, 20*time.Microsecond)
	assert.Zero(t, ena, "nothing left enabled")
	assert.Greater(t, float64(idle)/float64(total), 0.95, "asleep while waiting")
}

// TestAsyncBusOffRecovery: the awaited transmit ends with ErrBusOff, AwaitRecover brings
// the controller back.
func TestAsyncBusOffRecovery(t *testing.T) {
	var txErr, recErr, againErr error
	var st twai.Status
	runAsync(t, func(c *sim.Chip) { c.TWAI().SetAck(sim.TWAIAckNoneErrorFrame) }, twai.Config{BitRate: 500_000},
		func(c *sim.Chip, ex *executor.Executor, d *twai.Async) {
			ex.Spawner().Spawn(async.Go(func(t *async.T) {
				f := must(twai.StandardFrame(0x1, []byte{1}))
				txErr = d.AwaitTransmit(t, f)
				c.TWAI().SetAck(sim.TWAIAckAll)
				recErr = d.AwaitRecover(t)
				st = d.Status()
				againErr = d.AwaitTransmit(t, f)
			}))
		})
	assert.ErrorIs(t, txErr, twai.ErrBusOff)
	assert.NoError(t, recErr)
	assert.Equal(t, twai.ErrorActive, st.State)
	assert.NoError(t, againErr)
}

// gate is a future the test opens from outside a straight-line task, so AllocsPerRun
// measures one await per step.
type gate struct {
	open, waiting bool
	waker         async.Waker
}

func (g *gate) Poll(cx *async.Context) (struct{}, bool) {
	if g.open {
		g.open = false
		return struct{}{}, true
	}
	g.waker = cx.Waker()
	g.waiting = true
	return struct{}{}, false
}
func (g *gate) Cancel() {}

// TestNoAllocations: Transmit and Receive, blocking and awaited, allocate nothing beyond
// what the simulated bus allocates for the frame (its events and records), measured by
// the same frame sent through the registers directly. The receives take frames already in
// the FIFO (21 empty frames, 3 bytes each, fill 63 of its 64 bytes), so no bus activity
// falls inside them.
func TestNoAllocations(t *testing.T) {
	var raw, blockingTx, blockingRx, awaitTx, awaitRx float64
	run(t, func(c *sim.Chip) {
		for i := 0; i < 21; i++ {
			c.TWAI().Send(sim.TWAIFrame{ID: 0x42})
		}
	}, func(c *sim.Chip) {
		p := mustInit(false)
		d := mustNew(p, twai.Config{BitRate: 1_000_000})
		f := must(twai.StandardFrame(0x100, []byte{1, 2}))
		for d.Pending() < 21 {
		}
		r := esp32c3.TWAI0
		raw = testing.AllocsPerRun(20, func() {
			r.DATA[0].Write(2)
			r.DATA[1].Write(0x20)
			r.DATA[2].Write(0)
			r.DATA[3].Write(1)
			r.DATA[4].Write(2)
			r.CMD.Write(1)
			for r.STATUS.Read()&4 == 0 {
			}
		})
		blockingTx = testing.AllocsPerRun(20, func() {
			if err := d.Transmit(f); err != nil {
				panic(err)
			}
		})
		blockingRx = testing.AllocsPerRun(20, func() {
			if _, err := d.Receive(); err != nil {
				panic(err)
			}
		})

		a := d.IntoAsync()
		ex, err := async.New(async.Config{Tasks: 1})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		g := &gate{}
		mode := 0
		_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
			for {
				async.Await(t, g)
				if mode == 0 {
					if err := a.AwaitTransmit(t, f); err != nil {
						panic(err)
					}
				} else if _, err := a.AwaitReceive(t); err != nil {
					panic(err)
				}
			}
		}))
		if err != nil {
			panic(err)
		}
		ex.Poll()
		// step lets the task past the gate and runs it until it is back there, one await
		// later (the register read lets virtual time pass while it waits).
		step := func() {
			g.open, g.waiting = true, false
			g.waker.Wake()
			for ex.Poll(); !g.waiting; ex.Poll() {
				esp32c3.TWAI0.STATUS.Read()
			}
		}
		awaitTx = testing.AllocsPerRun(20, step)
		mode = 1
		for i := 0; i < 21; i++ {
			c.TWAI().SendAt(c.Now(), sim.TWAIFrame{ID: 0x42})
		}
		for a.Pending() < 21 {
		}
		awaitRx = testing.AllocsPerRun(20, step)
		a.Close()
	})
	t.Logf("the simulated bus allocates %v per frame", raw)
	assert.Equal(t, raw, blockingTx, "Transmit")
	assert.Zero(t, blockingRx, "Receive")
	assert.Equal(t, raw, awaitTx, "AwaitTransmit")
	assert.Zero(t, awaitRx, "AwaitReceive")
}
