//go:build !tinygo

package systimer_test

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	st "github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func run(t *testing.T, firmware func(c *sim.Chip)) {
	t.Helper()
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(func() { firmware(c) }))
}

func busy(n int) {
	for i := 0; i < n; i++ {
		esp32c3.SYSTIMER.DATE.Read()
	}
}

func TestNowIsTheVirtualClockInMicroseconds(t *testing.T) {
	run(t, func(c *sim.Chip) {
		require.NoError(t, systimer.Start(1))
		defer systimer.Stop()
		for i := 0; i < 5; i++ {
			busy(20_000) // 1 ms
			before := c.Now()
			now := systimer.Now()
			after := c.Now()
			require.GreaterOrEqual(t, time.Duration(now)*time.Microsecond, before.Truncate(time.Microsecond))
			require.LessOrEqual(t, time.Duration(now)*time.Microsecond, after)
		}
	})
}

// The counter is 52 bits read as two 32-bit halves: across LO's wrap the reading must stay
// monotonic and right (the UPDATE, then LO/HI/LO sequence).
func TestTicksAcrossTheLowWordWrap(t *testing.T) {
	run(t, func(c *sim.Chip) {
		s := esp32c3.SYSTIMER
		const start = 1<<32 - 2000 // 125 µs before LO wraps
		s.UNIT_LOAD_1[0].HI.Write(0)
		s.UNIT_LOAD_1[0].LO.Write(start)
		s.UNIT_LOAD[0].Write(st.UNIT_LOADValue(0).WithTIMER_UNIT_LOAD(true))
		prev := systimer.Ticks()
		require.GreaterOrEqual(t, prev, uint64(start))
		for i := 0; i < 600; i++ {
			busy(1)
			v := systimer.Ticks()
			require.Greater(t, v, prev)
			require.Less(t, v-prev, uint64(100), "a jump: the halves were read from different moments")
			require.InDelta(t, float64(c.SystimerValue(0)), float64(v), 20)
			prev = v
		}
		require.Greater(t, prev, uint64(1<<32), "the test crossed the wrap")
	})
}

// SetAlarm's race: the counter may pass the target while the comparator is being armed.
// For every phase of that race (a growing delay before arming a target 3 µs ahead), either
// SetAlarm reports true and the alarm fires exactly once, at or after the target, or it
// reports false with the target passed and the comparator disarmed, and nothing fires.
func TestSetAlarmNeverLosesOrDuplicatesAnAlarm(t *testing.T) {
	var fires atomic.Int32
	var firedAt atomic.Int64
	armedTrue, armedFalse := 0, 0
	run(t, func(c *sim.Chip) {
		require.NoError(t, systimer.Start(1))
		defer systimer.Stop()
		src := systimer.Source(0)
		rt.Bind(src, func() { // replaces the time driver's handler: count instead of expiring
			esp32c3.SYSTIMER.INT_CLR.Write(st.INT_CLRValue(1) << systimer.Comparator(0))
			fires.Add(1)
			firedAt.Store(int64(c.Now()))
		})
		d := systimer.Driver{}
		for k := 0; k < 100; k++ {
			fires.Store(0)
			at := d.Now().Add(3)
			busy(k) // 0 .. 5 µs: the target passes before, during or after the arming
			ok := d.SetAlarm(0, at)
			busy(100) // 5 µs: any alarm has fired by now
			if ok {
				armedTrue++
				require.Equal(t, int32(1), fires.Load(), "delay %d: armed, must fire once", k)
				require.GreaterOrEqual(t, time.Duration(firedAt.Load()), time.Duration(at)*time.Microsecond)
			} else {
				armedFalse++
				require.GreaterOrEqual(t, d.Now(), at, "delay %d: false only when passed", k)
				require.Zero(t, fires.Load(), "delay %d: reported passed, must not fire", k)
				_, armed := systimer.Alarm(0)
				require.False(t, armed)
			}
		}
		require.False(t, d.SetAlarm(0, 0), "a target in the past")
		require.True(t, d.SetAlarm(0, d.Now().Add(async.Second)))
		at, armed := systimer.Alarm(0)
		require.True(t, armed)
		require.Equal(t, d.Now().Add(async.Second)/1000, at/1000)
	})
	require.Positive(t, armedTrue)
	require.Positive(t, armedFalse)
	t.Logf("SetAlarm across the race: %d armed and fired once, %d reported passed", armedTrue, armedFalse)
}

func TestStartValidatesAndIsIdempotent(t *testing.T) {
	run(t, func(c *sim.Chip) {
		require.ErrorIs(t, systimer.Start(0), systimer.ErrPriority)
		require.ErrorIs(t, systimer.Start(16), systimer.ErrPriority)
		require.False(t, systimer.Started())
		require.NoError(t, systimer.Start(3))
		require.True(t, systimer.Started())
		require.NoError(t, systimer.Start(5), "a second Start keeps the first")
		line := rt.VectoredInterrupt(3)
		require.Equal(t, uint32(line), c.Machine().Core(0).SourceLine(int(systimer.Source(0))))
		systimer.Stop()
		require.False(t, systimer.Started())
		require.Equal(t, uint32(0), c.Machine().Core(0).SourceLine(int(systimer.Source(0))))
		require.Panics(t, func() { async.Now() }, "Stop uninstalls the time driver")
	})
}
