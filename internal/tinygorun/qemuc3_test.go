package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exampleByName(t *testing.T, name string) c3Example {
	t.Helper()
	for _, ex := range c3Examples {
		if ex.name == name {
			return ex
		}
	}
	t.Fatalf("no example %q", name)
	return c3Example{}
}

func tolsOf(ex c3Example) []numTol { return append(append([]numTol(nil), ex.tols...), c3CommonTols...) }

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

func TestC3ExamplesExist(t *testing.T) {
	for _, ex := range c3Examples {
		_, err := os.Stat(filepath.Join("..", "..", "examples", ex.name, "main.go"))
		assert.NoError(t, err, ex.name)
		if ex.ignore != nil || len(ex.tols) > 0 {
			assert.NotEmpty(t, ex.why, "%s: say why it needs its own tolerances", ex.name)
		}
	}
}

func TestLinesMatch(t *testing.T) {
	tols := c3CommonTols
	for _, c := range []struct {
		sim, qemu string
		match     bool
	}{
		{"blink 1: LED on  at 500 ms", "blink 1: LED on  at 500 ms", true},
		{"blink 1: LED on  at 500 ms", "blink 1: LED on  at 503 ms", true},  // boot offset
		{"blink 1: LED on  at 500 ms", "blink 1: LED on  at 511 ms", false}, // beyond 10 ms
		{"blink 1: LED on  at 500 ms", "blink 2: LED on  at 500 ms", false}, // a count, exact
		{"blink 1: LED on  at 500 ms", "blink 1: LED off at 500 ms", false}, // text
		{"ticker: start at 122 us; a tick", "ticker: start at 4439 us; a tick", true},
		{"tick 1: polled 0 us after it, then 15 ms of work", "tick 1: polled 7 us after it, then 15 ms of work", true},
		{"tick 1: polled 0 us after it, then 15 ms of work", "tick 1: polled 70 us after it, then 15 ms of work", false},
		{"tick 1: polled 0 us after it, then 15 ms of work", "tick 1: polled 0 us after it, then 17 ms of work", false},
		{"at t = 0.122 ms, after 10001 us", "at t = 4.451 ms, after 10009 us", true},
		{"idle 97.0% of the time", "idle 96.9% of the time", true},
		{"idle 97.0% of the time", "idle 90.0% of the time", false},
		{"INT_ENA = 0x91d", "INT_ENA = 0x91d", true},
		{"INT_ENA = 0x91d", "INT_ENA = 0x91c", false}, // hexadecimal: exact
		{"2 lines, 12 bytes", "2 lines, 12 bytes", true},
		{"2 lines, 12 bytes", "2 lines, 13 bytes", false},
		{"a 1 b", "a 1 b 2", false}, // a number more
		{"done", "done.", false},
	} {
		assert.Equal(t, c.match, linesMatch(c.sim, c.qemu, tols), "%q vs %q", c.sim, c.qemu)
	}
}

func TestTolOrderAndRelative(t *testing.T) {
	ex := exampleByName(t, "preempt")
	assert.True(t, linesMatch("busy task at iteration 39976", "busy task at iteration 31873", tolsOf(ex)))
	assert.False(t, linesMatch("busy task at iteration 39976", "busy task at iteration 12000", tolsOf(ex)))
	assert.True(t, linesMatch("done at 60 ms after 239853 iterations", "done at 64 ms after 191199 iterations", tolsOf(ex)))
	assert.False(t, linesMatch("busy task at iteration 39976", "busy task at iteration 31873", c3CommonTols))
}

// The simulator's transcripts and what QEMU printed for the same firmware (TinyGo 0.33,
// Espressif's QEMU 8.2, once rt owned the trap vector): they must compare equal.
var c3Fixtures = map[string][2]string{
	"ticker": {`ticker: start at 122 us; a tick every 250 ms, 8 ticks
tick 1: deadline start + 250 ms, polled 0 us after it, then 15 ms of work
tick 2: deadline start + 500 ms, polled 0 us after it, then 10 ms of work
tick 3: deadline start + 750 ms, polled 0 us after it, then 5 ms of work
tick 4: deadline start + 1000 ms, polled 0 us after it, then 0 ms of work
tick 5: deadline start + 1250 ms, polled 0 us after it, then 15 ms of work
tick 6: deadline start + 1500 ms, polled 0 us after it, then 10 ms of work
tick 7: deadline start + 1750 ms, polled 0 us after it, then 5 ms of work
tick 8: deadline start + 2000 ms, polled 0 us after it, then 0 ms of work
ticker: done at 2000127 us; tick 8 was due at start + 2000 ms = 8 x 250 ms: no drift; idle 97.0% of the time
`, `ticker: start at 4439 us; a tick every 250 ms, 8 ticks
tick 1: deadline start + 250 ms, polled 7 us after it, then 15 ms of work
tick 2: deadline start + 500 ms, polled 8 us after it, then 10 ms of work
tick 3: deadline start + 750 ms, polled 8 us after it, then 5 ms of work
tick 4: deadline start + 1000 ms, polled 8 us after it, then 0 ms of work
tick 5: deadline start + 1250 ms, polled 8 us after it, then 15 ms of work
tick 6: deadline start + 1500 ms, polled 7 us after it, then 10 ms of work
tick 7: deadline start + 1750 ms, polled 8 us after it, then 5 ms of work
tick 8: deadline start + 2000 ms, polled 8 us after it, then 0 ms of work
ticker: done at 2004473 us; tick 8 was due at start + 2000 ms = 8 x 250 ms: no drift; idle 96.9% of the time
`},
	"prodcons": {`prodcons: a sample every 10 ms, a consumer slow on every 4th, over a Channel of 3
consumer: sample #1 made at 10 ms, taken at 10 ms, 0 more queued
consumer: sample #2 made at 20 ms, taken at 20 ms, 0 more queued
consumer: sample #3 made at 30 ms, taken at 30 ms, 0 more queued
consumer: sample #4 made at 40 ms, taken at 40 ms, 0 more queued
producer: channel full at 80 ms, sample #8 waits for room
consumer: sample #5 made at 50 ms, taken at 95 ms, 2 more queued
producer: channel full at 95 ms, sample #9 waits for room
consumer: sample #6 made at 60 ms, taken at 96 ms, 2 more queued
consumer: sample #7 made at 70 ms, taken at 100 ms, 1 more queued
consumer: sample #8 made at 80 ms, taken at 106 ms, 0 more queued
producer: channel full at 120 ms, sample #12 waits for room
consumer: sample #9 made at 90 ms, taken at 161 ms, 2 more queued
producer: channel full at 161 ms, sample #13 waits for room
consumer: sample #10 made at 100 ms, taken at 162 ms, 2 more queued
consumer: sample #11 made at 110 ms, taken at 167 ms, 1 more queued
consumer: sample #12 made at 120 ms, taken at 173 ms, 0 more queued
producer: channel full at 179 ms, sample #16 waits for room
consumer: sample #13 made at 130 ms, taken at 228 ms, 2 more queued
consumer: sample #14 made at 140 ms, taken at 229 ms, 2 more queued
consumer: sample #15 made at 150 ms, taken at 230 ms, 1 more queued
consumer: sample #16 made at 160 ms, taken at 234 ms, 0 more queued
prodcons: 16 of 16 samples consumed, in order; the producer waited for room 5 times; idle 83.1%
`, `prodcons: a sample every 10 ms, a consumer slow on every 4th, over a Channel of 3
consumer: sample #1 made at 14 ms, taken at 14 ms, 0 more queued
consumer: sample #2 made at 24 ms, taken at 24 ms, 0 more queued
consumer: sample #3 made at 34 ms, taken at 34 ms, 0 more queued
consumer: sample #4 made at 44 ms, taken at 44 ms, 0 more queued
producer: channel full at 84 ms, sample #8 waits for room
consumer: sample #5 made at 54 ms, taken at 99 ms, 2 more queued
producer: channel full at 99 ms, sample #9 waits for room
consumer: sample #6 made at 64 ms, taken at 100 ms, 2 more queued
consumer: sample #7 made at 74 ms, taken at 101 ms, 2 more queued
consumer: sample #8 made at 84 ms, taken at 102 ms, 1 more queued
producer: channel full at 124 ms, sample #12 waits for room
consumer: sample #9 made at 94 ms, taken at 157 ms, 2 more queued
producer: channel full at 157 ms, sample #13 waits for room
consumer: sample #10 made at 104 ms, taken at 158 ms, 2 more queued
producer: channel full at 158 ms, sample #14 waits for room
consumer: sample #11 made at 114 ms, taken at 159 ms, 2 more queued
producer: channel full at 159 ms, sample #15 waits for room
consumer: sample #12 made at 124 ms, taken at 160 ms, 2 more queued
producer: channel full at 164 ms, sample #16 waits for room
consumer: sample #13 made at 134 ms, taken at 215 ms, 2 more queued
consumer: sample #14 made at 144 ms, taken at 216 ms, 2 more queued
consumer: sample #15 made at 154 ms, taken at 217 ms, 1 more queued
consumer: sample #16 made at 164 ms, taken at 218 ms, 0 more queued
prodcons: 16 of 16 samples consumed, in order; the producer waited for room 7 times; idle 99.7%
`},
	"timeout_uart": {`timeout_uart: reading UART0 with a 10 ms timeout at t = 0.122 ms
timeout_uart: timed out at t = 10.123 ms, after 10001 us; UART0 INT_ENA = 0
timeout_uart: reading UART0 with a 100 ms timeout at t = 10.130 ms
timeout_uart: timed out at t = 110.131 ms, after 100001 us; UART0 INT_ENA = 0
timeout_uart: reading UART0 with a 500 ms timeout at t = 110.138 ms
timeout_uart: timed out at t = 610.139 ms, after 500001 us; UART0 INT_ENA = 0
`, `timeout_uart: reading UART0 with a 10 ms timeout at t = 4.451 ms
timeout_uart: timed out at t = 14.460 ms, after 10009 us; UART0 INT_ENA = 0
timeout_uart: reading UART0 with a 100 ms timeout at t = 14.496 ms
timeout_uart: timed out at t = 114.505 ms, after 100009 us; UART0 INT_ENA = 0
timeout_uart: reading UART0 with a 500 ms timeout at t = 114.542 ms
timeout_uart: timed out at t = 614.551 ms, after 500009 us; UART0 INT_ENA = 0
`},
}

func TestCompareFixtures(t *testing.T) {
	for name, f := range c3Fixtures {
		ex := exampleByName(t, name)
		c := compareTranscripts(lines(f[0]), lines(f[1]), ex.ignore, tolsOf(ex))
		assert.True(t, c.ok, "%s: %d of %d matched:\n%v", name, c.matched, c.want, c.diff)
		assert.Equal(t, c.want, c.matched, name)
		assert.Positive(t, c.tolerated, name)
	}
	c := compareTranscripts(lines(c3Fixtures["prodcons"][0]), lines(c3Fixtures["prodcons"][1]),
		exampleByName(t, "prodcons").ignore, tolsOf(exampleByName(t, "prodcons")))
	assert.Equal(t, 5, c.ignoredSim)
	assert.Equal(t, 7, c.ignoredQEMU)
	// Without prodcons's own tolerances its transcripts differ.
	assert.False(t, compareTranscripts(lines(c3Fixtures["prodcons"][0]), lines(c3Fixtures["prodcons"][1]), nil, c3CommonTols).ok)
}

func TestCompareDiff(t *testing.T) {
	sim := []string{"banner", "blink 1 at 500 ms", "blink 2 at 1000 ms", "done"}
	qemu := []string{"banner", "blink 1 at 503 ms", "panic: boom"}
	c := compareTranscripts(sim, qemu, nil, c3CommonTols)
	assert.False(t, c.ok)
	assert.Equal(t, 2, c.matched)
	assert.Equal(t, 1, c.tolerated)
	assert.Equal(t, []diffLine{
		{' ', "banner"},
		{'~', "blink 1 at 503 ms"},
		{'-', "blink 2 at 1000 ms"},
		{'-', "done"},
		{'+', "panic: boom"},
	}, c.diff)

	// Nothing from QEMU: every line missing.
	c = compareTranscripts(sim, nil, nil, c3CommonTols)
	assert.False(t, c.ok)
	assert.Len(t, c.diff, 4)
	// Same, with ignored lines on both sides.
	ig := regexp.MustCompile(`^noise`)
	c = compareTranscripts([]string{"a", "noise 1", "b"}, []string{"noise 2", "a", "b", "noise 3"}, ig, nil)
	assert.True(t, c.ok)
	assert.Equal(t, 1, c.ignoredSim)
	assert.Equal(t, 2, c.ignoredQEMU)
}

func TestFirmwareOutput(t *testing.T) {
	raw := []byte("ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nload:0x3c000020,len:0x1654\r\n" +
		"entry 0x40381588\r\nhello\r\nworld\n\r\nlast")
	fw, ok := firmwareOutput(raw)
	require.True(t, ok)
	assert.Equal(t, []string{"hello", "world", "", "last"}, transcriptLines(fw))
	assert.Equal(t, []string{"hello", "world", ""}, completeLines(fw))
	_, ok = firmwareOutput([]byte("ESP-ROM:esp32c3\r\nload:0x3c000020,len:0x1654\r\nentr"))
	assert.False(t, ok)
	assert.Nil(t, transcriptLines(nil))
	assert.Nil(t, completeLines([]byte("partial")))
	assert.Equal(t, 2, findLinePrefix([]string{"a", "hello", "hello again"}, 2, "hello"))
	assert.Equal(t, -1, findLinePrefix([]string{"a"}, 0, "hello"))
}

func TestFatalMessage(t *testing.T) {
	assert.Equal(t, "", fatalMessage([]byte("all good\r\n")))
	assert.Equal(t, "Go panic: panic: runtime error at 0x420029ee: heap alloc in interrupt",
		fatalMessage([]byte("busy\r\npanic: runtime error at 0x420029ee: heap alloc in interrupt\r\n")))
	assert.Equal(t, "TinyGo exception: *** Exception:     pc: 1107299082",
		fatalMessage([]byte("*** Exception:     pc: 1107299082\n*** Exception:   code: 7\n")))
	assert.Contains(t, fatalMessage([]byte("Guru Meditation Error: Core  0 panic'ed\n")), "Guru Meditation")
	assert.Contains(t, fatalMessage([]byte("banner\r\nESP-ROM:esp32c3-api1-20210207\r\n")), "reset")
}

// fakeClock is a settable clock for qlog.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func trapLine(async int, epc, desc string) string {
	return "riscv_cpu_do_interrupt: hart:0, async:" + string(rune('0'+async)) + ", cause:0000000b, epc:" + epc +
		", tval:0x00000000, desc=" + desc
}

func TestQlogStorm(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	l := newQlog(false)
	l.now = clk.now
	l.add("[CACHE] ignored write to flash-mapped address 0x20 (value 0x42001e52, size 4)")
	l.add(trapLine(1, "0x420055f8", "m_external"))
	// A legitimate idle loop: many traps at one epc, but slowly.
	for i := 0; i < 3*c3StormTraps; i++ {
		if i%(c3StormTraps/4) == 0 {
			clk.t = clk.t.Add(c3StormWindow)
		}
		l.add(trapLine(1, "0x4200547e", "m_external"))
	}
	assert.Empty(t, l.state().storm)
	// A storm: the same number within the window.
	clk.t = clk.t.Add(c3StormWindow + time.Millisecond)
	for i := 0; i <= c3StormTraps; i++ {
		l.add(trapLine(0, "0x4200190a", "fault_store"))
	}
	st := l.state()
	assert.Contains(t, st.storm, "fault_store traps at epc 0x4200190a")
	onset := l.stormOnset()
	require.NotEmpty(t, onset)
	assert.Contains(t, onset[len(onset)-1], "fault_store")
	assert.Contains(t, onset[len(onset)-2], "0x4200547e")
	assert.Contains(t, l.trapSummary(2), "fault_store at 0x4200190a")
	assert.Contains(t, l.trapSummary(2), "1 more")
	// Repeats are collapsed in the tail.
	last := l.lastLines(3)
	assert.Contains(t, last[len(last)-1], "[×")
}

func TestQlogIdleAndGuestErrors(t *testing.T) {
	l := newQlog(false)
	l.add("Adding SPI flash device")
	l.add("M25P80: Read id (command 0x90/0xAB) is not supported by device")
	for a := 0x20; a <= 0x6878; a += 4 {
		l.add("[CACHE] ignored write to flash-mapped address 0x" + hex(uint64(a)) + " (value 0x1234, size 4)")
	}
	// A stack running down through unmapped memory, across several 64 KiB blocks.
	for a := uint64(0x3FC7FFE0); a >= 0x3FC40000; a -= 0x40 {
		l.add("Invalid write at addr 0x" + strings.ToUpper(hex(a)) + ", size 4, region '(null)', reason: rejected")
	}
	l.add("Invalid read at addr 0x600A0000, size 4, region '(null)', reason: rejected")
	l.add("esp32c3.i2c: unimplemented device write (size 4, offset 0x0004, value 0x00000001)")
	l.add("esp32c3.i2c: unimplemented device write (size 4, offset 0x0004, value 0x00000002)")
	l.add("qemu-system-riscv32: warning: icount sleep disabled and no active timers")
	assert.True(t, l.state().idle)

	var got []string
	for _, e := range l.guestList() {
		got = append(got, e.String())
	}
	assert.Equal(t, []string{
		"   6679× [CACHE] ignored write to flash-mapped address, at 0x20..0x6878",
		"   4096× Invalid write, size 4, region '(null)', reason: rejected, at 0x3FC40020..0x3FC7FFE0",
		"      2× esp32c3.i2c: unimplemented device write at offset 0x0004 (size 4)",
		"      1× Invalid read, size 4, region '(null)', reason: rejected, at 0x600A0000",
		"      1× M25P80: Read id (command 0x90/0xAB) is not supported by device",
	}, got)
	assert.NotEmpty(t, bootNote("[CACHE] ignored write to flash-mapped address"))
	assert.Empty(t, bootNote("Invalid read"))
}

func hex(v uint64) string { return strconv.FormatUint(v, 16) }

func TestQlogKeepsAHeadAndATail(t *testing.T) {
	var keep strings.Builder
	l := newQlog(false)
	l.keep = &keep
	long := strings.Repeat("x", 1000)
	for i := 0; i < c3LogKeep/1000+5000; i++ {
		l.add(long)
	}
	l.add("the end")
	assert.LessOrEqual(t, keep.Len(), c3LogKeep+1001)
	l.writeTail(&keep)
	assert.True(t, strings.HasSuffix(keep.String(), "the end\n"))
	assert.Contains(t, keep.String(), "[tinygorun: ")
}

// blinkyTrace writes the MMIO trace of n toggles of GPIO8, each followed by a SYSTIMER
// reading lag ticks later, every period ticks.
func blinkyTrace(l *qlog, n int, period, lag uint64, skewAt int) {
	w := func(addr, val uint64) {
		l.add("memory_region_ops_write cpu 0 mr 0x562085ad48f0 addr 0x" + hex(addr) + " value 0x" + hex(val) + " size 4 name 'esp32.gpio'")
	}
	r := func(addr, val uint64) {
		l.add("memory_region_ops_read cpu 0 mr 0x562085ad9f20 addr 0x" + hex(addr) + " value 0x" + hex(val) + " size 4 name 'esp32c3.systimer'")
	}
	w(gpioOutW1TC, 1<<8) // initLED: already low, not a toggle
	t := uint64(8_058_000)
	for i := 0; i < n; i++ {
		if i == skewAt {
			t += 16_000 // 1 ms late
		}
		r(systimerHI, 0) // a reading before the toggle does not time it
		r(systimerLO, t-period/2)
		if i%2 == 0 {
			w(gpioOutW1TS, 1<<8)
		} else {
			w(gpioOutW1TC, 1<<8)
		}
		w(0x60004024, 1<<8) // ENABLE_W1TS: not the output
		r(systimerLO, t+lag)
		r(systimerHI, 0)
		r(systimerLO, t+lag)
		t += period
	}
}

func TestGPIOTrace(t *testing.T) {
	l := newQlog(true)
	blinkyTrace(l, 10, 8_000_000, 48, -1)
	msg, ok := l.gpio.check(ledToggles, ledInterval, ledTolerance)
	assert.True(t, ok, msg)
	assert.Contains(t, msg, "10 toggles, the first at 503.628 ms, 500.000 ms to 500.000 ms apart")

	l = newQlog(true)
	blinkyTrace(l, 10, 8_000_000, 40, 4)
	msg, ok = l.gpio.check(ledToggles, ledInterval, ledTolerance)
	assert.False(t, ok)
	assert.Contains(t, msg, "toggles 4 and 5 are 501ms apart, want 500ms ± 100µs")

	l = newQlog(true)
	blinkyTrace(l, 3, 8_000_000, 40, -1)
	msg, ok = l.gpio.check(ledToggles, ledInterval, ledTolerance)
	assert.False(t, ok)
	assert.Contains(t, msg, "toggled 3 times, want 10")

	msg, ok = newQlog(true).gpio.check(ledToggles, ledInterval, ledTolerance)
	assert.False(t, ok)
	assert.Contains(t, msg, "no GPIO8 write")
}

func TestMonitorAndSimTimes(t *testing.T) {
	m := monitorVTRE.FindSubmatch([]byte("(qemu) xp /2wx 0x60023040\r\n0000000060023040: 0x00000000 0x01e96269\r\n(qemu) "))
	require.NotNil(t, m)
	assert.Equal(t, "01e96269", string(m[2]))
	assert.Equal(t, 2004518562*time.Nanosecond, systimerDuration(0x01e96269)) // 32,072,297 ticks at 16 MHz

	for out, want := range map[string]time.Duration{
		"simulator: the LED pin (GPIO8) went high 5 times; 5.005s of virtual time took 6ms": 5005 * time.Millisecond,
		"simulator: 298.41ms of virtual time took 92ms":                                     298410 * time.Microsecond,
		"simulator: 616.998ms of virtual time took 11ms":                                    616998 * time.Microsecond,
		"simulator: 2 lines (12 bytes) echoed; 10ms of virtual time took 6ms":               10 * time.Millisecond,
	} {
		m := simTimeRE.FindStringSubmatch(out)
		require.NotNil(t, m, out)
		d, err := time.ParseDuration(m[1])
		require.NoError(t, err)
		assert.Equal(t, want, d, out)
	}
	assert.Equal(t, "5.004 s", fmtVTime(5004*time.Millisecond))
	assert.Equal(t, "64.609 ms", fmtVTime(64609*time.Microsecond))
}

func TestStaticRAM(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	data, bss, err := staticRAM(exe)
	if err != nil && strings.Contains(err.Error(), "bad magic") {
		t.Skip("the test binary is not an ELF file on this system")
	}
	require.NoError(t, err)
	assert.Positive(t, data+bss)
	_, _, err = staticRAM(filepath.Join(t.TempDir(), "missing.elf"))
	assert.Error(t, err)
}

func TestSplitStackReportTakesOutOnlyTheReport(t *testing.T) {
	rest, stack := splitStackReport([]string{"blinky: done", "gohal: stack: deepest 964 bytes below the firmware's entry, 904 bytes of the goroutine stack never used", "after"})
	require.Equal(t, []string{"blinky: done", "after"}, rest)
	require.Equal(t, "deepest 964 bytes below the firmware's entry, 904 bytes of the goroutine stack never used", stack)
	rest, stack = splitStackReport([]string{"a"})
	require.Equal(t, []string{"a"}, rest)
	require.Empty(t, stack)
}

// The stack report's margins, the firmware's and each task's, are found with their owner.
func TestStackMarginFindsEveryStack(t *testing.T) {
	_, stack := splitStackReport([]string{
		"gohal: stack: deepest 372 bytes below the firmware's entry, 504 bytes of the goroutine stack never used",
		"gohal: stack: task reader: deepest 516 bytes below its entry, 96 bytes of its goroutine stack never used",
		"gohal: stack: task writer: deepest 464 bytes below its entry, 412 bytes of its goroutine stack never used",
	})
	var got []string
	for _, m := range stackMargin.FindAllStringSubmatch(stack, -1) {
		got = append(got, m[1]+"="+m[2])
	}
	assert.Equal(t, []string{"deepest=504", "task reader=96", "task writer=412"}, got)
}
