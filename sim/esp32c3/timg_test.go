package esp32c3

import (
	"errors"
	"testing"
	"time"
)

func timgReg(n int, off uintptr) uintptr { return timgBases[n] + off }

// timgNow latches and reads the counter as esp-hal's now() does.
func timgNow(t *testing.T, n int) uint64 {
	t.Helper()
	r32(timgReg(n, timgT0UPDATE)).Store(1 << 31)
	if r32(timgReg(n, timgT0UPDATE)).Load() != 0 {
		t.Fatal("T0UPDATE still reads 1 after the latch")
	}
	return uint64(r32(timgReg(n, timgT0LO)).Load()) | uint64(r32(timgReg(n, timgT0HI)).Load())<<32
}

// timgSchedule arms a one-shot alarm `ticks` from now the way esp-hal's schedule() does, with
// the timer counting from the crystal at the reset divider (20 MHz).
func timgSchedule(n int, ticks uint64, autoreload bool) {
	cfg := r32(timgReg(n, timgT0CONFIG))
	cfg.Store(cfg.Load()&^(timgT0En|timgT0AlarmEn) | timgT0UseXTAL) // stop
	r32(timgReg(n, timgINTCLR)).Store(timgIntT0)
	r32(timgReg(n, timgT0LOADLO)).Store(0)
	r32(timgReg(n, timgT0LOADHI)).Store(0)
	r32(timgReg(n, timgT0LOAD)).Store(1) // counter := 0
	v := cfg.Load() &^ timgT0Autoreload
	if autoreload {
		v |= timgT0Autoreload
	}
	cfg.Store(v)
	r32(timgReg(n, timgT0ALARMLO)).Store(uint32(ticks))
	r32(timgReg(n, timgT0ALARMHI)).Store(uint32(ticks >> 32))
	cfg.Store(cfg.Load() | timgT0Increase | timgT0En)
	cfg.Store(cfg.Load() | timgT0AlarmEn)
}

func TestTIMGResetValues(t *testing.T) {
	newPeriphChip(t)
	for n := 0; n < 2; n++ {
		wantR32(t, "T0CONFIG", timgReg(n, timgT0CONFIG), 0x6000_2000)
		wantR32(t, "WDTCONFIG0", timgReg(n, timgWDTCONFIG0), 0x0004_C000)
		wantR32(t, "WDTCONFIG2", timgReg(n, timgWDTCONFIG2), 0x018C_BA80)
		wantR32(t, "WDTWPROTECT", timgReg(n, timgWDTWPROTECT), timgWDTKey)
		wantR32(t, "INT_RAW", timgReg(n, timgINTRAW), 0)
	}
	if got := timgNow(t, 0); got != 0 {
		t.Errorf("a stopped timer counts: %d", got)
	}
}

func TestTIMGCounterRatesAndDivider(t *testing.T) {
	cases := []struct {
		name  string
		cfg   uint32
		after time.Duration
		ticks uint64
	}{
		{"XTAL reset divider (esp-hal: 20 MHz)", timgT0En | timgT0Increase | timgT0UseXTAL | 1<<13, time.Millisecond, 20_000},
		{"XTAL divider 2", timgT0En | timgT0Increase | timgT0UseXTAL | 2<<13, time.Millisecond, 20_000},
		{"APB divider 80", timgT0En | timgT0Increase | 80<<13, time.Millisecond, 1_000},
		{"XTAL divider 0 = 65536", timgT0En | timgT0Increase | timgT0UseXTAL, time.Second, 610}, // 610.35 Hz
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newPeriphChip(t)
			r32(timgReg(1, timgT0CONFIG)).Store(tc.cfg)
			runFor(c, tc.after)
			if got := timgNow(t, 1); got != tc.ticks {
				t.Errorf("after %v: %d ticks, want %d", tc.after, got, tc.ticks)
			}
		})
	}
}

func TestTIMGCountDownAndLoad(t *testing.T) {
	c := newPeriphChip(t)
	r32(timgReg(0, timgT0LOADLO)).Store(1000)
	r32(timgReg(0, timgT0LOADHI)).Store(0)
	r32(timgReg(0, timgT0LOAD)).Store(1)
	r32(timgReg(0, timgT0CONFIG)).Store(timgT0En | timgT0UseXTAL | 40<<13) // 1 MHz, decrementing
	runFor(c, 300*time.Microsecond)
	if got := timgNow(t, 0); got != 700 {
		t.Errorf("counting down from 1000 for 300 µs: %d, want 700", got)
	}
	// Changing the divider keeps the count reached so far.
	r32(timgReg(0, timgT0CONFIG)).Store(timgT0En | timgT0Increase | timgT0UseXTAL | 20<<13) // 2 MHz, up
	runFor(c, 100*time.Microsecond)
	if got := timgNow(t, 0); got != 900 {
		t.Errorf("after switching to 2 MHz up for 100 µs: %d, want 900", got)
	}
}

func TestTIMGAlarmAtVirtualTime(t *testing.T) {
	c := newPeriphChip(t)
	r32(timgReg(0, timgINTENA)).Store(timgIntT0)
	timgSchedule(0, 20_000, false) // 1 ms at 20 MHz
	runFor(c, time.Millisecond-time.Nanosecond)
	if srcHigh(c, SourceTG0T0) || r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Fatal("alarm fired before 1 ms")
	}
	runFor(c, time.Nanosecond)
	if r32(timgReg(0, timgINTRAW)).Load() != timgIntT0 || !srcHigh(c, SourceTG0T0) {
		t.Fatalf("alarm not fired at 1 ms: INT_RAW %#x", r32(timgReg(0, timgINTRAW)).Load())
	}
	if r32(timgReg(0, timgINTST)).Load() != timgIntT0 {
		t.Error("INT_ST does not show the enabled alarm")
	}
	if r32(timgReg(0, timgT0CONFIG)).Load()&timgT0AlarmEn != 0 {
		t.Error("ALARM_EN still set after the alarm")
	}
	if srcHigh(c, SourceTG1T0) || srcHigh(c, SourceTG0WDT) {
		t.Error("the alarm raised another group's or the watchdog's line")
	}
	// Without autoreload the counter runs on past the alarm and no second alarm comes.
	r32(timgReg(0, timgINTCLR)).Store(timgIntT0)
	if srcHigh(c, SourceTG0T0) {
		t.Fatal("INT_CLR did not lower the line")
	}
	runFor(c, time.Millisecond)
	if got := timgNow(t, 0); got != 40_000 {
		t.Errorf("counter = %d at 2 ms, want 40000", got)
	}
	if r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Error("a one-shot alarm fired twice")
	}
}

func TestTIMGAutoreloadPeriodic(t *testing.T) {
	c := newPeriphChip(t)
	timgSchedule(1, 2_000, true) // 100 µs period
	var fired []time.Duration
	for i := 0; i < 3; i++ {
		for r32(timgReg(1, timgINTRAW)).Load()&timgIntT0 == 0 {
			runFor(c, time.Microsecond)
		}
		fired = append(fired, c.Now())
		// The ISR clears the interrupt and re-arms the alarm (hardware cleared ALARM_EN).
		r32(timgReg(1, timgINTCLR)).Store(timgIntT0)
		cfg := r32(timgReg(1, timgT0CONFIG))
		cfg.Store(cfg.Load() | timgT0AlarmEn)
	}
	for i, at := range fired {
		if want := time.Duration(i+1) * 100 * time.Microsecond; at != want {
			t.Errorf("alarm %d at %v, want %v", i, at, want)
		}
	}
}

func TestTIMGAlarmInThePastFiresAtOnce(t *testing.T) {
	c := newPeriphChip(t)
	r32(timgReg(0, timgT0CONFIG)).Store(timgT0En | timgT0Increase | timgT0UseXTAL | 1<<13)
	runFor(c, time.Millisecond)
	r32(timgReg(0, timgT0ALARMLO)).Store(100)
	r32(timgReg(0, timgT0CONFIG)).Store(r32(timgReg(0, timgT0CONFIG)).Load() | timgT0AlarmEn)
	if r32(timgReg(0, timgINTRAW)).Load() != timgIntT0 {
		t.Error("an alarm value already passed did not fire when enabled")
	}
}

// mwdtUnlock writes the write-protect key.
func mwdtUnlock(n int) { r32(timgReg(n, timgWDTWPROTECT)).Store(timgWDTKey) }

func TestMWDTStagesInterruptThenReset(t *testing.T) {
	c := newPeriphChip(t)
	var resets []WatchdogReset
	c.TIMG(1).OnWatchdogReset(func(r WatchdogReset) { resets = append(resets, r) })
	mwdtUnlock(1)
	r32(timgReg(1, timgWDTCONFIG1)).Store(8000 << 16) // 100 µs ticks at 80 MHz APB
	r32(timgReg(1, timgWDTCONFIG2)).Store(10)         // stage 0: 1 ms
	r32(timgReg(1, timgWDTCONFIG2+4)).Store(20)       // stage 1: 2 ms
	r32(timgReg(1, timgINTENA)).Store(timgIntWDT)
	r32(timgReg(1, timgWDTCONFIG0)).Store(timgWDTEn | uint32(WatchdogInterrupt)<<29 | uint32(WatchdogResetSystem)<<27 | timgWDTUpdate)
	r32(timgReg(1, timgWDTWPROTECT)).Store(0) // lock

	runFor(c, time.Millisecond-time.Nanosecond)
	if srcHigh(c, SourceTG1WDT) {
		t.Fatal("stage 0 expired early")
	}
	runFor(c, time.Nanosecond)
	if !srcHigh(c, SourceTG1WDT) || r32(timgReg(1, timgINTRAW)).Load() != timgIntWDT {
		t.Fatal("stage 0 did not raise the watchdog interrupt at 1 ms")
	}
	r32(timgReg(1, timgINTCLR)).Store(timgIntWDT)
	runFor(c, 2*time.Millisecond-time.Nanosecond)
	if len(resets) != 0 {
		t.Fatal("stage 1 expired early")
	}
	runFor(c, time.Nanosecond)
	want := WatchdogReset{Group: 1, Stage: 1, Action: WatchdogResetSystem, At: 3 * time.Millisecond}
	if len(resets) != 1 || resets[0] != want {
		t.Fatalf("resets = %+v, want %+v", resets, want)
	}
	if got := c.TIMG(1).WatchdogResets(); len(got) != 1 {
		t.Errorf("WatchdogResets = %+v", got)
	}
}

func TestMWDTFeedAndWriteProtect(t *testing.T) {
	c := newPeriphChip(t)
	mwdtUnlock(0)
	r32(timgReg(0, timgWDTCONFIG1)).Store(8000 << 16)
	r32(timgReg(0, timgWDTCONFIG2)).Store(10) // 1 ms
	r32(timgReg(0, timgWDTCONFIG0)).Store(timgWDTEn | uint32(WatchdogInterrupt)<<29)
	for i := 0; i < 5; i++ {
		runFor(c, 900*time.Microsecond)
		r32(timgReg(0, timgWDTFEED)).Store(1)
	}
	if r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Fatal("a fed watchdog expired")
	}
	// Locked: feeding and disabling are ignored, so the watchdog expires.
	r32(timgReg(0, timgWDTWPROTECT)).Store(0)
	r32(timgReg(0, timgWDTFEED)).Store(1)
	r32(timgReg(0, timgWDTCONFIG0)).Store(0)
	if r32(timgReg(0, timgWDTCONFIG0)).Load()&timgWDTEn == 0 {
		t.Fatal("a locked WDTCONFIG0 was written")
	}
	runFor(c, 900*time.Microsecond)
	if r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Fatal("the watchdog expired before 1 ms had passed since its last accepted feed")
	}
	runFor(c, 100*time.Microsecond)
	if r32(timgReg(0, timgINTRAW)).Load() != timgIntWDT {
		t.Fatal("the watchdog did not expire 1 ms after its last accepted feed")
	}
	// Unlocked again, esp-hal's init disables it with a read-modify-write and no
	// CONF_UPDATE_EN; the model applies that at once.
	mwdtUnlock(0)
	cfg := r32(timgReg(0, timgWDTCONFIG0))
	cfg.Store(cfg.Load() &^ timgWDTEn)
	r32(timgReg(0, timgINTCLR)).Store(timgIntWDT)
	runFor(c, 10*time.Millisecond)
	if r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Error("a disabled watchdog expired")
	}
}

func TestTIMGPeripheralResetThroughSYSTEM(t *testing.T) {
	c := newPeriphChip(t)
	timgSchedule(0, 20_000, false)
	rst := r32(0x600C_0018) // SYSTEM.PERIP_RST_EN0
	rst.Store(rst.Load() | 1<<13)
	rst.Store(rst.Load() &^ (1 << 13))
	wantR32(t, "T0CONFIG after reset", timgReg(0, timgT0CONFIG), 0x6000_2000)
	runFor(c, 2*time.Millisecond)
	if r32(timgReg(0, timgINTRAW)).Load() != 0 {
		t.Error("an alarm armed before the peripheral reset fired")
	}
}

func BenchmarkTIMGAlarm(b *testing.B) {
	c := newPeriphChip(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		timgSchedule(0, 20, false) // 1 µs
		runFor(c, time.Microsecond)
	}
}

// TestMWDTResetEndsRun: firmware that enables the watchdog and never feeds it is stopped by
// the reset, and Run reports it with the virtual time.
func TestMWDTResetEndsRun(t *testing.T) {
	c := newPeriphChip(t)
	err := c.Run(func() {
		mwdtUnlock(0)
		r32(timgReg(0, timgWDTCONFIG1)).Store(8000 << 16) // 100 µs ticks
		r32(timgReg(0, timgWDTCONFIG2)).Store(50)         // 5 ms
		r32(timgReg(0, timgWDTCONFIG0)).Store(timgWDTEn | uint32(WatchdogResetCPU)<<29)
		for {
			r32(timgReg(0, timgT0LO)).Load() // busy, never feeding
		}
	})
	var r WatchdogReset
	if !errors.As(err, &r) {
		t.Fatalf("Run returned %v, want a WatchdogReset", err)
	}
	if r.Group != 0 || r.Stage != 0 || r.Action != WatchdogResetCPU || r.At < 5*time.Millisecond || r.At > 5*time.Millisecond+time.Microsecond {
		t.Errorf("reset = %+v, want TIMG0 stage 0 CPU reset at 5 ms", r)
	}
}
