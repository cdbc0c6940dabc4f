package i2c_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// pollCounter runs one future as a stackless task, counting its polls.
type pollCounter struct {
	f     i2c.Future
	polls int
	err   error
	at    time.Duration
	c     *sim.Chip
}

func (p *pollCounter) Poll(cx *async.Context) bool {
	p.polls++
	err, ok := p.f.Poll(cx)
	if !ok {
		return false
	}
	p.err, p.at = err, p.c.Now()
	return true
}

// runTasks runs tasks on a thread-mode executor until they finish, returning its idle
// fraction.
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

func TestAsyncTransferIsInterruptDriven(t *testing.T) {
	s := sim.NewRegisterSensor()
	for r := 0; r < 256; r++ {
		s.Set(byte(r), byte(255-r))
	}
	got := make([]byte, 100)
	var task *pollCounter
	var idle float64
	var intEna uint32
	var chip *sim.Chip
	runSim(t, func(c *sim.Chip) { chip = c; c.I2C0().Attach(0x68, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		// One write chunk and four read chunks (31, 31, 31, 7) at 100 kHz: about 10 ms.
		task = &pollCounter{f: a.WriteReadAsync(0x68, []byte{0x20}, got), c: chip}
		idle = runTasks(t, task)
		intEna = uint32(esp32c3.I2C0.INT_ENA.Read())
	})
	require.NoError(t, task.err)
	for i, v := range got {
		require.Equal(t, byte(255-(0x20+i)), v, "byte %d", i)
	}
	// Each chunk ends in one interrupt and one poll; a poll-driven loop would take thousands.
	assert.LessOrEqual(t, task.polls, 8, "polls")
	assert.Greater(t, idle, 0.9, "the CPU sleeps in WFI while the bytes move")
	assert.Zero(t, intEna, "no interrupt source left enabled")
	t.Logf("%d polls, idle %.1f%%, done at %v", task.polls, 100*idle, task.at)
}

func TestAsyncErrorsAndTimeouts(t *testing.T) {
	s := sim.NewRegisterSensor(1, 2, 3)
	rom := sim.NewAT24C(4096, 32)
	var absent, hw, sw, wrapped, after error
	var hwAt, swAt time.Duration
	var ackPolls int
	var page []byte
	var chip *sim.Chip
	runSim(t, func(c *sim.Chip) {
		chip = c
		c.I2C0().Attach(0x40, s)
		c.I2C0().Attach(0x50, rom)
	}, func(p *hal.Peripherals) {
		buf := make([]byte, 2)
		b, err := i2c.New(p.I2C0, i2c.Config{FSMTimeout: 16}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		runTasks(t, async.GoNamed("errors", func(tk *async.T) {
			f := a.WriteAsync(0x41, []byte{1})
			absent = async.Await[error](tk, &f)

			// A page write, then acknowledge polling with async sleeps in between.
			f = a.WriteAsync(0x50, []byte{0, 0, 'g', 'o', 'h', 'a', 'l'})
			require.NoError(t, async.Await[error](tk, &f))
			page = make([]byte, 5)
			for {
				f = a.WriteReadAsync(0x50, []byte{0, 0}, page)
				if err := async.Await[error](tk, &f); !errors.Is(err, i2c.ErrAddressNACK) {
					require.NoError(t, err)
					break
				}
				ackPolls++
				async.Sleep(tk, 500)
			}

			s.SetStretch(50 * time.Millisecond)
			t0 := chip.Now()
			f = a.WriteReadAsync(0x40, []byte{0}, buf)
			hw = async.Await[error](tk, &f) // SCL state-machine timeout: 2^16 clocks, 1.6 ms
			hwAt = chip.Now() - t0

			// async.WithTimeout cancels the future: the controller is reset, and the driver
			// is free for the next transfer.
			f = a.WriteReadAsync(0x40, []byte{0}, buf)
			o := async.Await[async.Outcome[error]](tk, async.WithTimeout[error](&f, 300))
			wrapped = o.Err
		}))
		a.Close()

		b, err = i2c.New(p.I2C0, i2c.Config{Timeout: 3 * time.Millisecond}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a = b.IntoAsync()
		runTasks(t, async.GoNamed("software timeout", func(tk *async.T) {
			t0 := chip.Now()
			f := a.WriteReadAsync(0x40, []byte{0}, buf)
			sw = async.Await[error](tk, &f) // Config.Timeout through an async.Timer
			swAt = chip.Now() - t0
			s.SetStretch(0)
			f = a.WriteReadAsync(0x40, []byte{0}, buf)
			after = async.Await[error](tk, &f)
		}))
		a.Close()
	})
	assert.ErrorIs(t, absent, i2c.ErrAddressNACK)
	assert.Equal(t, "gohal", string(page))
	assert.Greater(t, ackPolls, 3)
	assert.ErrorIs(t, hw, i2c.ErrBusTimeout)
	assert.InDelta(t, 1.6, hwAt.Seconds()*1000, 0.6, "hardware timeout after %v", hwAt)
	assert.ErrorIs(t, wrapped, async.ErrTimeout)
	assert.ErrorIs(t, sw, i2c.ErrTimeout)
	assert.NotErrorIs(t, sw, i2c.ErrBusTimeout)
	assert.InDelta(t, 3, swAt.Seconds()*1000, 0.5, "software timeout after %v", swAt)
	assert.NoError(t, after)
}

func TestAsyncCancelDisarmsAndBusy(t *testing.T) {
	s := sim.NewRegisterSensor(7, 8)
	var armed, disarmed uint32
	var busyBlocking, afterCancel, canceled, blocking error
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x40, s) }, func(p *hal.Peripherals) {
		b, err := i2c.New(p.I2C0, i2c.Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		a := b.IntoAsync()
		defer a.Close()
		s.SetStretch(20 * time.Millisecond)
		buf := make([]byte, 2)
		cx := async.NewContext(0)
		f := a.WriteReadAsync(0x40, []byte{0}, buf)
		_, done := f.Poll(cx)
		require.False(t, done)
		armed = uint32(esp32c3.I2C0.INT_ENA.Read())
		busyBlocking = a.Write(0x40, nil)
		g := a.ReadAsync(0x40, buf)
		require.PanicsWithValue(t, "i2c: I2C0: ReadAsync polled while a WriteReadAsync is in progress on I2C0; "+
			"one transfer at a time: await the WriteReadAsync (or Cancel it) before starting another",
			func() { g.Poll(cx) }, "a second future while one is in progress")
		f.Cancel()
		disarmed = uint32(esp32c3.I2C0.INT_ENA.Read())
		canceled, _ = f.Poll(cx)
		s.SetStretch(0)
		afterCancel = a.WriteRead(0x40, []byte{0}, buf)
		blocking = a.Write(0x40, []byte{5})
	})
	assert.NotZero(t, armed, "a chunk on the bus has its interrupt sources enabled")
	assert.ErrorIs(t, busyBlocking, i2c.ErrBusy)
	assert.Zero(t, disarmed, "Cancel disables the interrupt sources")
	assert.ErrorIs(t, canceled, i2c.ErrCanceled)
	assert.NoError(t, afterCancel)
	assert.NoError(t, blocking)
}
