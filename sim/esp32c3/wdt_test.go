package esp32c3

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rtcReg(off uintptr) uintptr { return rtcBase + off }

func rwdtUnlock() { r32(rtcReg(rtcWDTWProtect)).Store(rtcWDTKey) }

// rwdtStart configures stage 0 (hold in units of 2 slow cycles: the eFuse multiplier at its
// default) with action and enables the watchdog.
func rwdtStart(hold0 uint32, action uint32) {
	rwdtUnlock()
	r32(rtcReg(rtcWDTConfig0)).Store(0)
	r32(rtcReg(rtcWDTConfig0 + 4)).Store(hold0)
	r32(rtcReg(rtcWDTConfig0)).Store(rtcWDTEn | action<<28)
	r32(rtcReg(rtcWDTWProtect)).Store(0)
}

func TestPowerOnResetCause(t *testing.T) {
	c := newPeriphChip(t)
	assert.Equal(t, uint32(PowerOnReset), r32(rtcReg(rtcResetState)).Load()&0x3F)
	assert.Empty(t, c.Resets())
	assert.Equal(t, "TG0WDT_SYS_RESET", TG0WDTSysReset.String())
	assert.Equal(t, "RTCWDT_RTC_RESET", RTCWDTRTCReset.String())
	assert.Equal(t, "RESET_CAUSE_2", ResetCause(2).String())
}

func TestRWDTResetsAtItsTimeout(t *testing.T) {
	c := newPeriphChip(t)
	rwdtStart(68, 3) // 136 cycles of RC_SLOW (136 kHz): 1 ms; system reset
	assert.Equal(t, time.Millisecond, c.RWDT().StageTimeout(0))
	runFor(c, time.Millisecond-time.Nanosecond)
	require.Empty(t, c.Resets(), "stage 0 expired early")
	runFor(c, time.Nanosecond)
	require.Len(t, c.Resets(), 1)
	r := c.Resets()[0]
	assert.Equal(t, RTCWDTSysReset, r.Cause)
	assert.Equal(t, time.Millisecond, r.At)
	assert.Equal(t, "RWDT", r.Watchdog)
	assert.Equal(t, uint32(RTCWDTSysReset), r32(rtcReg(rtcResetState)).Load()&0x3F)
	assert.Equal(t, "esp32c3: chip reset at 1ms: RTCWDT_SYS_RESET (RWDT stage 0 expired)", r.Error())
	running, _ := c.RWDT().Running()
	assert.False(t, running, "a reset stops the watchdog")
}

func TestRWDTFeedAndWriteProtect(t *testing.T) {
	var log syncBuffer
	c := New(Log(&log))
	defer c.Close()
	rwdtStart(68, 4) // 1 ms, RTC reset
	feed := func() { r32(rtcReg(rtcWDTFeed)).Store(rtcWDTFeedBit) }
	for i := 0; i < 5; i++ {
		runFor(c, 900*time.Microsecond)
		rwdtUnlock()
		feed()
		r32(rtcReg(rtcWDTWProtect)).Store(0)
	}
	require.Empty(t, c.Resets(), "a fed watchdog reset the chip")
	// Locked: the feed and the disable are ignored, with a note.
	feed()
	r32(rtcReg(rtcWDTConfig0)).Store(0)
	assert.Contains(t, log.String(), "RWDT register write ignored: RTC_WDTWPROTECT is locked")
	assert.NotZero(t, r32(rtcReg(rtcWDTConfig0)).Load()&rtcWDTEn, "a locked RTC_WDTCONFIG0 was written")
	runFor(c, time.Millisecond-time.Nanosecond)
	require.Empty(t, c.Resets())
	runFor(c, time.Nanosecond)
	require.Len(t, c.Resets(), 1, "the watchdog did not expire 1 ms after its last accepted feed")
	assert.Equal(t, RTCWDTRTCReset, c.Resets()[0].Cause)
	assert.Equal(t, 5*900*time.Microsecond+time.Millisecond, c.Resets()[0].At)
}

func TestRWDTInterruptStageThenCPUReset(t *testing.T) {
	c := newPeriphChip(t)
	rwdtUnlock()
	r32(rtcReg(rtcWDTConfig0 + 4)).Store(68)  // stage 0: 1 ms
	r32(rtcReg(rtcWDTConfig0 + 8)).Store(272) // stage 1: 2 ms (no multiplier)
	r32(rtcReg(rtcIntEna)).Store(rtcIntWDT)
	r32(rtcReg(rtcWDTConfig0)).Store(rtcWDTEn | 1<<28 | 2<<25)
	runFor(c, time.Millisecond)
	require.True(t, srcHigh(c, SourceRTCCore), "stage 0 did not raise RTC_CORE")
	assert.Equal(t, uint32(rtcIntWDT), r32(rtcReg(rtcIntSt)).Load())
	r32(rtcReg(rtcIntClr)).Store(rtcIntWDT)
	assert.False(t, srcHigh(c, SourceRTCCore))
	runFor(c, 2*time.Millisecond-time.Nanosecond)
	require.Empty(t, c.Resets())
	runFor(c, time.Nanosecond)
	require.Len(t, c.Resets(), 1)
	assert.Equal(t, RTCWDTCPUReset, c.Resets()[0].Cause)
	assert.Equal(t, 1, c.Resets()[0].Stage)
}

// A firmware that stops feeding the RWDT is reset, and Run says so with the cause and time.
func TestRWDTResetEndsRun(t *testing.T) {
	c := newPeriphChip(t)
	err := c.Run(func() {
		rwdtStart(340, 3) // 5 ms
		for {
			r32(rtcReg(rtcIntRaw)).Load()
		}
	})
	var r *ChipReset
	require.True(t, errors.As(err, &r), "Run returned %v", err)
	assert.Equal(t, RTCWDTSysReset, r.Cause)
	assert.InDelta(t, float64(5*time.Millisecond), float64(r.At), float64(time.Microsecond))
	var wr WatchdogReset
	assert.False(t, errors.As(err, &wr), "an RWDT reset is no TIMG WatchdogReset")
}

// An MWDT reset ends Run with a ChipReset naming the TRM's cause, which still unwraps to the
// TIMG model's WatchdogReset.
func TestMWDTResetEndsRunWithCause(t *testing.T) {
	for _, tc := range []struct {
		group  int
		action WatchdogAction
		cause  ResetCause
	}{
		{0, WatchdogResetSystem, TG0WDTSysReset},
		{1, WatchdogResetSystem, TG1WDTSysReset},
		{0, WatchdogResetCPU, TG0WDTCPUReset},
		{1, WatchdogResetCPU, TG1WDTCPUReset},
	} {
		c := newPeriphChip(t)
		err := c.Run(func() {
			mwdtUnlock(tc.group)
			r32(timgReg(tc.group, timgWDTCONFIG1)).Store(8000 << 16) // 100 µs ticks
			r32(timgReg(tc.group, timgWDTCONFIG2)).Store(30)         // 3 ms
			r32(timgReg(tc.group, timgWDTCONFIG0)).Store(timgWDTEn | uint32(tc.action)<<29)
			for {
				r32(timgReg(tc.group, timgT0LO)).Load()
			}
		})
		var r *ChipReset
		require.True(t, errors.As(err, &r), "Run returned %v", err)
		assert.Equal(t, tc.cause, r.Cause)
		assert.Contains(t, err.Error(), tc.cause.String())
		assert.InDelta(t, float64(3*time.Millisecond), float64(r.At), float64(time.Microsecond))
		var wr WatchdogReset
		require.True(t, errors.As(err, &wr))
		assert.Equal(t, tc.group, wr.Group)
		assert.Equal(t, uint32(tc.cause), r32(rtcReg(rtcResetState)).Load()&0x3F)
	}
}
