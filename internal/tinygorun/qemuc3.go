package main

// The qemu-c3 step: ESP32-C3 examples booted on Espressif's QEMU (the real boot ROM, the real
// TinyGo trap handler and runtime), each UART0 transcript checked against the host
// simulator's transcript of the same program.
//
// For each example (c3Examples), at most two at a time:
//
//  1. `tinygo build -target=esp32c3 -serial=uart -o fw.bin` (the flash image; the linked ELF
//     is kept from TinyGo's -work directory for the .data/.bss sizes).
//
//     -serial=uart sends println and panic messages to UART0, where QEMU shows them (the
//     default, USB-Serial-JTAG, is a stub there). It does not get in the way of the examples
//     that drive UART0 through hal/uart or pac: TinyGo's runtime configures UART0 before main
//     (APB clock, RX interrupts on CPU line 7 with its own ring-buffer handler), and hal/uart's
//     New then rewrites the clock, baud rate and format and writes INT_ENA = 0, so TinyGo's
//     handler never runs again; IntoAsync routes the UART0 source to rt's own line. Blinky
//     (pac only) keeps TinyGo's RX interrupt enabled, but reads nothing. Bytes that arrive
//     before uart.New would be swallowed by TinyGo's handler, so input is sent only after
//     the firmware's first line. The transcripts agree with -serial=none builds.
//  2. The simulator's transcript: `go build` of the same example for the host and a run with
//     the same standard input (start_host.go prints UART0's TX line on standard output).
//  3. QEMU: `esp32c3-qemu fw.bin -icount shift=3,align=off,sleep=off -d int,guest_errors,unimp`
//     (plus `-trace memory_region_ops_write -trace memory_region_ops_read` for blinky). The
//     -d/-trace log goes to QEMU's standard error when there is no -D file; the harness reads
//     it as it is written, so it can count traps and stop a storm at once, and keeps a
//     bounded copy (q.log: the first 8 MiB and the last 200 lines). Standard input stays open
//     and the example's scripted input is sent line by line as the firmware's output asks for
//     it. QEMU never exits by itself: it is stopped when the transcript is complete (its last
//     line has appeared and the output has been quiet for a moment), on a failure, or on the
//     wall-clock limit; before it quits, its monitor reads the SYSTIMER unit 0 value the
//     firmware last latched, which is the virtual time the summary shows.
//  4. The transcripts are compared (compareTranscripts): QEMU's ROM boot lines are dropped
//     (everything up to the ROM's `entry 0x...` line), CRLF is normalised, and the same lines
//     must appear in the same order; numbers in them may differ within the tolerances below.
//
// Failures are reported with a diff of the transcripts and the last 40 lines of QEMU's log:
// a Go panic, a TinyGo "*** Exception", "Guru Meditation", a reset (the ROM banner again), a
// trap storm, a log flood, a transcript that stops short (wall-clock limit, or QEMU reports
// the CPU asleep with no timer armed), a transcript that differs, and for blinky GPIO8 not
// toggling 10 times 500 ms apart.

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

var (
	c3Only    = flag.String("c3", "", "qemu-c3: run only the examples whose name matches this `regexp`")
	c3Keep    = flag.String("c3-keep", "", "qemu-c3: keep each example's fw.bin, fw.elf, q.log and transcripts in `DIR`/NAME")
	c3Timeout = flag.Duration("c3-timeout", 30*time.Second, "qemu-c3: wall-clock limit of one QEMU run (a normal run takes 1-3 s)")
)

// c3Example is an ESP32-C3 example the qemu-c3 step runs on QEMU and on the simulator.
type c3Example struct {
	name string
	// simStdin is the host run's standard input (the echo's start_host.go sends an EOT at
	// its end); input is what QEMU's UART0 receives, each piece after a line of output.
	simStdin string
	input    []c3Input
	// gpio checks blinky's LED in QEMU's MMIO trace: GPIO8 toggles 10 times, 500 ms apart.
	gpio bool
	// ignore drops lines from both transcripts whose presence depends on timing the two
	// models do not share; tols are this example's tolerances, tried before c3CommonTols.
	ignore *regexp.Regexp
	tols   []numTol
	why    string // what ignore and tols are for
	// figures picks QEMU lines to print in the report: measurements taken on QEMU (the
	// on-target figures the README quotes), whatever the simulator said.
	figures *regexp.Regexp
	// buildFlags are extra TinyGo flags for the chip build (with the reason in why).
	buildFlags []string
}

// c3Input is sent to UART0 once a complete line of output starting with after has appeared
// (after the line that triggered the previous input).
type c3Input struct{ after, send string }

var c3Examples = []c3Example{
	{name: "blinky", gpio: true},
	{name: "echo", simStdin: "hello\nworld\n", input: []c3Input{
		{after: "echo: UART0 at 115200 baud", send: "hello\n"},
		{after: "hello", send: "world\n"},
		{after: "world", send: "\x04"}, // EOT: the firmware says bye and returns
	}},
	{name: "ticker"},
	{name: "lines", input: []c3Input{ // the pieces examples/lines/start_host.go types on the simulator
		{after: "lines: send lines", send: "hello\n"},
		{after: "1: hello", send: "straight-line tasks\n"},
		{after: "2: straight-line tasks", send: "\x04"},
	},
		// Stacks sized from measurement, not TinyGo's 2 KiB default: the stack report
		// measured the firmware (main's goroutine, which -stack-size sizes) at about 370
		// bytes deep, so 1 KiB; the two straight-line tasks (about 480 bytes, T.StackUse,
		// plus the frames of interrupts landing on their stacks) get 1 KiB each from
		// async.GoOptions.StackSize. The report shows every margin, and fails one below
		// minStackMargin.
		buildFlags: []string{"-stack-size=1KB"},
	},
	{
		name: "prodcons",
		// The simulator transmits UART0 at 115200 baud: a 66-byte consumer line takes 5.7 ms
		// and a blocking Write spins while the 128-byte TX FIFO is full, so the consumer runs
		// later there. Espressif's QEMU sends a byte the moment it is written. How often the
		// producer finds the channel full, the queue lengths, when samples are taken and how
		// idle the core is all follow from that; the samples, their order and their 10 ms
		// production ticks do not.
		ignore: regexp.MustCompile(`^producer: channel full at `),
		tols: []numTol{
			tol(`taken at $`, `^ ms`, 30, 0),
			tol(``, `^ more queued`, 2, 0),
			tol(`waited for room $`, `^ times`, 10, 0),
			tol(`idle $`, `^%`, 20, 0),
		},
		why: "UART TX timing: the simulator models 115200 baud, QEMU transmits instantly",
	},
	{
		name: "preempt",
		// How many iterations of the busy loop fit in 10 ms is a measure of the CPU: QEMU
		// executes one instruction per 8 ns of virtual time (125 MIPS), the simulator charges
		// its cost model at 160 MHz. A factor of two either way.
		tols: []numTol{
			tol(`iteration $`, ``, 0, 0.5),
			tol(``, `^ iterations`, 0, 0.5),
		},
		why: "busy-loop iteration counts measure the CPU's speed",
	},
	{name: "timeout"},
	{name: "timeout_uart"},
	{
		name: "dma",
		// The simulator's GDMA moves a word every two 80 MHz cycles (a 4 KiB copy in about
		// 26 us); Espressif's QEMU copies the whole chain when OUTLINK_START is written, so
		// its figure is the driver's own time. The checksums must agree.
		tols: []numTol{tol(`copy: 4096 bytes in $`, `^ us`, 40, 0)},
		why:  "copy time: the simulator models the GDMA's rate, QEMU copies at once",
	},
	{
		name: "latency",
		// The figures are the point: the simulator charges its cost model, QEMU 8 ns an
		// instruction, and neither is the other. The lines, their order and the sample
		// counts must agree; the nanoseconds and instructions are reported, not compared.
		input:   []c3Input{{after: "latency: send bytes to UART0 RX", send: "x"}},
		tols:    []numTol{tol(``, `^(/\d| ns| instructions| CPU cycles)`, 1e12, 0)},
		why:     "latency figures differ by design: they are measured, and printed",
		figures: regexp.MustCompile(`->|SYSTIMER reading`),
	},
}

// numTol is how far a number in a QEMU line may be from the simulator's number at the same
// place: |a-b| <= abs + rel*max(|a|,|b|). before must match the line's text before the number,
// after the text after it (nil matches anything).
type numTol struct {
	before, after *regexp.Regexp
	abs, rel      float64
}

func tol(before, after string, abs, rel float64) numTol {
	t := numTol{abs: abs, rel: rel}
	if before != "" {
		t.before = regexp.MustCompile(before)
	}
	if after != "" {
		t.after = regexp.MustCompile(after)
	}
	return t
}

// c3CommonTols apply to every example. Numbers no rule covers must be equal.
var c3CommonTols = []numTol{
	// Instants ("at 500 ms", "at t = 0.122 ms", "due at 10122 us", "from 0 ms"): QEMU's
	// SYSTIMER counts from machine reset, and its boot ROM plus TinyGo's start-up take about
	// 4.3 ms of virtual time before main runs; the simulator's clock is at 0 when the
	// firmware starts. 10 ms covers that offset and any latency on top.
	tol(`\b(at|at t =|from) $`, `^ ms\b`, 10, 0),
	tol(`\b(at|at t =|from) $`, `^ us\b`, 10_000, 0),
	// Durations in µs ("polled 7 us after it", "after 10009 us"): each is a wake-up path,
	// interrupt entry to poll, of a few hundred instructions, at 8 ns each on QEMU
	// (-icount shift=3, ~125 MIPS) and at the simulator's cost model at 160 MHz; they
	// differ by a few µs. 50 µs.
	tol(``, `^ us\b`, 50, 0),
	// Durations in ms are whole milliseconds of µs figures: one either way for rounding.
	tol(``, `^ ms\b`, 1, 0),
	// Idle percentages: the code between two WFIs costs different cycles in the two
	// models. 3 percentage points.
	tol(``, `^%`, 3, 0),
}

// c3StormTraps is how many traps at one epc with one cause, within c3StormWindow of wall
// time, make a trap storm. A storm is hundreds of thousands a second; the busiest
// legitimate log here, echo idling on its 250 ms ticker while virtual time warps ahead
// (sleep=off) between two pieces of input, is about ten thousand a second.
const (
	c3StormTraps  = 100_000
	c3StormWindow = 2 * time.Second
	c3LogFlood    = 512 << 20 // bytes of -d/-trace log after which a run is stopped
	c3LogKeep     = 8 << 20   // bytes of it kept at the start of q.log
	c3UARTFlood   = 1 << 20   // bytes of UART0 output after which a run is stopped
	c3TailKeep    = 200       // lines kept at the end of q.log
	c3TailShow    = 40        // lines shown in a failure report
	c3OnsetShow   = 12        // lines shown up to where a trap storm began
	c3Parallel    = 2         // examples (build, simulator, QEMU) in flight at once
)

// qemuC3 is the step.
func (r *runner) qemuC3() error {
	qemu, why := findQEMUC3()
	if qemu == "" {
		fmt.Printf("  qemu-c3: skipped: %s\n", why)
		return nil
	}
	only, err := regexp.Compile(*c3Only)
	if err != nil {
		return fmt.Errorf("-c3: %v", err)
	}
	root := *c3Keep
	if root == "" {
		tmp, err := os.MkdirTemp("", "tinygorun-qemu-c3-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		root = tmp
	} else if root, err = filepath.Abs(root); err != nil {
		return err
	}
	var exs []c3Example
	for _, ex := range c3Examples {
		if only.MatchString(ex.name) {
			exs = append(exs, ex)
		}
	}
	if len(exs) == 0 {
		return fmt.Errorf("-c3 %q matches no example", *c3Only)
	}
	fmt.Printf("  ESP32-C3 examples on Espressif's QEMU (%s), %d at a time, against the simulator\n", qemu, c3Parallel)
	results := make([]*c3Result, len(exs))
	sem := make(chan struct{}, c3Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, ex := range exs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res := r.runC3(qemu, filepath.Join(root, ex.name), ex)
			results[i] = res
			mu.Lock()
			fmt.Printf("    %-13s %s (%s)\n", ex.name, res.verdict(), res.wall.Round(100*time.Millisecond))
			mu.Unlock()
		}()
	}
	wg.Wait()

	var errs []error
	for _, res := range results {
		fmt.Print(res.report(*c3Keep != ""))
		if len(res.problems) > 0 {
			errs = append(errs, fmt.Errorf("%s: %s", res.name, strings.Join(res.problems, "; ")))
		}
	}
	printGuestErrors(results)
	printC3Summary(results)
	return errors.Join(errs...)
}

// findQEMUC3 returns the esp32c3-qemu wrapper: $QEMU_C3, esp32c3-qemu on PATH, or what
// ../shared/tools/qemu-esp32c3-setup prints (it installs it; idempotent, seconds).
func findQEMUC3() (path, why string) {
	if p := os.Getenv("QEMU_C3"); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", fmt.Sprintf("QEMU_C3=%s is not a file", p)
		}
		return p, ""
	}
	if p, err := exec.LookPath("esp32c3-qemu"); err == nil {
		return p, ""
	}
	setup := filepath.Join("..", "shared", "tools", "qemu-esp32c3-setup")
	if _, err := os.Stat(setup); err != nil {
		return "", "no esp32c3-qemu on PATH, QEMU_C3 is not set, and " + setup + " is absent (QEMU_C3=$(../shared/tools/qemu-esp32c3-setup) make tinygo)"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, setup)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	p := strings.TrimSpace(string(out))
	if err != nil || p == "" {
		return "", fmt.Sprintf("%s failed (%v):\n%s", setup, err, indent(stderr.String()))
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Sprintf("%s printed %q, which does not exist", setup, p)
	}
	return p, ""
}

// c3Result is what one example's run found.
type c3Result struct {
	name     string
	ex       c3Example
	dir      string
	problems []string
	wall     time.Duration

	built      bool
	data, bss  uint64
	ramErr     error
	sim        []string
	simTime    time.Duration
	ran        bool
	qemu       []string
	qemuTime   time.Duration // SYSTIMER unit 0 at the firmware's last reading; 0 if unknown
	cmp        c3Comparison
	log        *qlog
	gpioReport string
	stack      string // the chip build's stack report, without its prefix
}

// stackReportPrefix is examples/internal/chipstart.StackReportPrefix (a TinyGo-only
// package, so not imported here).
const stackReportPrefix = "gohal: stack: "

// stackMargin finds each stack's unused bytes in a stack report, and whose they are.
var stackMargin = regexp.MustCompile(`(?:^|; )(task [^:\s]+|deepest)[^;]*?(\d+) bytes of (?:the|its) goroutine stack never used`)

// minStackMargin is the least unused stack a QEMU run may leave, in bytes: a stack that
// deep is too close to its canary (a handler taken at a deeper point would overflow it).
const minStackMargin = 128

// splitStackReport takes the chip build's stack report out of a QEMU transcript: the
// firmware's line, then one for each straight-line task an example reports, joined by "; ".
func splitStackReport(lines []string) (rest []string, stack string) {
	for _, l := range lines {
		if r, ok := strings.CutPrefix(l, stackReportPrefix); ok {
			if stack != "" {
				stack += "; "
			}
			stack += r
			continue
		}
		rest = append(rest, l)
	}
	return rest, stack
}

func (res *c3Result) fail(format string, args ...any) {
	res.problems = append(res.problems, fmt.Sprintf(format, args...))
}

func (res *c3Result) verdict() string {
	if len(res.problems) == 0 {
		return "ok"
	}
	return "FAIL: " + res.problems[0]
}

// runC3 builds, simulates and emulates one example.
func (r *runner) runC3(qemu, dir string, ex c3Example) *c3Result {
	start := time.Now()
	res := &c3Result{name: ex.name, ex: ex, dir: dir}
	defer func() { res.wall = time.Since(start) }()
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		res.fail("%v", err)
		return res
	}
	pkg := "./examples/" + ex.name

	// 1. The firmware.
	if err := r.buildC3(pkg, dir, ex.buildFlags); err != nil {
		res.fail("tinygo build: %v", err)
		return res
	}
	res.built = true
	res.data, res.bss, res.ramErr = staticRAM(filepath.Join(dir, "fw.elf"))

	// 2. The simulator's transcript.
	sim, simTime, err := simulateC3(pkg, dir, ex.simStdin, r.timeout)
	if err != nil {
		res.fail("simulator: %v", err)
		return res
	}
	res.sim, res.simTime = sim, simTime
	os.WriteFile(filepath.Join(dir, "sim.txt"), []byte(strings.Join(sim, "\n")+"\n"), 0o644)

	// 3. QEMU.
	want := filterLines(sim, ex.ignore)
	run := runQEMUC3(qemu, dir, ex, want, *c3Timeout)
	res.ran = true
	// The chip build's stack report (examples/internal/chipstart) is QEMU's alone: a
	// figure to print, not a line to compare.
	res.qemu, res.stack = splitStackReport(run.transcript)
	for _, m := range stackMargin.FindAllStringSubmatch(res.stack, -1) {
		if n, _ := strconv.Atoi(m[2]); n < minStackMargin {
			fix := "its async.GoOptions.StackSize (or the build's -stack-size, for a task without one)"
			if m[1] == "deepest" {
				m[1], fix = "the firmware", "the build's -stack-size"
			}
			res.fail("%s left only %d bytes of its stack unused (fewer than %d): raise %s, or make it shallower", m[1], n, minStackMargin, fix)
		}
	}
	res.qemuTime, res.log = run.vtime, run.log
	os.WriteFile(filepath.Join(dir, "uart.txt"), run.raw, 0o644)
	res.problems = append(res.problems, run.problems...)

	// 4. The comparison, and blinky's LED.
	res.cmp = compareTranscripts(sim, res.qemu, ex.ignore, append(append([]numTol(nil), ex.tols...), c3CommonTols...))
	if run.booted && !res.cmp.ok {
		res.fail("the transcript differs from the simulator's: %d of %d lines match", res.cmp.matched, res.cmp.want)
	}
	if ex.gpio && run.log.gpio != nil {
		var ok bool
		res.gpioReport, ok = run.log.gpio.check(ledToggles, ledInterval, ledTolerance)
		if !ok {
			res.fail("GPIO8: %s", res.gpioReport)
		}
	}
	return res
}

// buildC3 builds dir/fw.bin and keeps the ELF TinyGo linked it from as dir/fw.elf: with
// -work TinyGo leaves its temporary directory (made under TMPDIR, here dir) with the linked
// executable, "main", in it. If a TinyGo release stops doing that, a second build makes
// the ELF.
func (r *runner) buildC3(pkg, dir string, flags []string) error {
	args := append([]string{"build", "-target=esp32c3", "-serial=uart", "-work", "-o", filepath.Join(dir, "fw.bin")}, flags...)
	args = append(args, pkg)
	out, err := runIn(r.timeout, []string{"TMPDIR=" + dir}, r.tinygo, args...)
	if err != nil {
		return err
	}
	elfPath := filepath.Join(dir, "fw.elf")
	if m := regexp.MustCompile(`(?m)^WORK=(\S+)`).FindStringSubmatch(out); m != nil {
		os.Rename(filepath.Join(m[1], "main"), elfPath)
		os.RemoveAll(m[1])
	}
	if _, err := os.Stat(elfPath); err != nil {
		args := append([]string{"build", "-target=esp32c3", "-serial=uart", "-o", elfPath}, flags...)
		_, err = runIn(r.timeout, nil, r.tinygo, append(args, pkg)...)
		return err
	}
	return nil
}

// runIn runs a command with a time limit and extra environment and returns its combined
// output.
func runIn(limit time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("timed out after %s", limit)
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, indent(out.String()))
	}
	return out.String(), nil
}

// staticRAM returns the sizes of the ELF's .data and .bss sections (and any .sdata/.sbss).
func staticRAM(path string) (data, bss uint64, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	found := false
	for _, s := range f.Sections {
		switch {
		case s.Name == ".data" || s.Name == ".sdata" || strings.HasPrefix(s.Name, ".data.") || strings.HasPrefix(s.Name, ".sdata."):
			data += s.Size
			found = true
		case s.Name == ".bss" || s.Name == ".sbss" || strings.HasPrefix(s.Name, ".bss.") || strings.HasPrefix(s.Name, ".sbss."):
			bss += s.Size
			found = true
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("%s has no .data or .bss section", path)
	}
	return data, bss, nil
}

var simTimeRE = regexp.MustCompile(`(\d[\d.]*(?:ns|µs|us|ms|s|m|h)[\d.a-zµ]*) of virtual time`)

// simulateC3 builds the example for the host and runs it on the simulator with stdin as its
// standard input; it returns UART0's TX line as transcript lines and the virtual time the
// simulator reports.
func simulateC3(pkg, dir, stdin string, limit time.Duration) ([]string, time.Duration, error) {
	host := filepath.Join(dir, "host")
	if _, err := runIn(limit, nil, "go", "build", "-o", host, pkg); err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, host)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("go run %s: %v\n%s", pkg, err, indent(stderr.String()))
	}
	var vt time.Duration
	if m := simTimeRE.FindStringSubmatch(stderr.String()); m != nil {
		vt, _ = time.ParseDuration(strings.Replace(m[1], "us", "µs", 1))
	}
	return transcriptLines(stdout.Bytes()), vt, nil
}

// ---- QEMU ----

// qemuRun is one QEMU run's outcome.
type qemuRun struct {
	raw        []byte   // UART0 as QEMU printed it, ROM lines included, monitor excluded
	booted     bool     // the ROM printed its entry line
	transcript []string // the firmware's lines
	vtime      time.Duration
	log        *qlog
	problems   []string
}

// The blinky check: GPIO8 toggles 10 times, every 500 ms. A toggle's time is the first
// SYSTIMER unit 0 reading after its GPIO write (the main loop reads the time to print the
// blink a few hundred instructions later, microseconds at 8 ns each); the alarm runs in
// SYSTIMER period mode, exactly 8,000,000 ticks apart, so the intervals between those
// readings differ from 500 ms by that lag's jitter only. ±100 µs.
const (
	ledToggles   = 10
	ledInterval  = 500 * time.Millisecond
	ledTolerance = 100 * time.Microsecond
)

var (
	romEntryRE   = regexp.MustCompile(`(?m)^entry 0x[0-9a-fA-F]+\r?\n`)
	monitorVTRE  = regexp.MustCompile(`60023040: 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8})`)
	monitorReady = []byte("(qemu) ")
)

// runQEMUC3 boots dir/fw.bin on QEMU, feeds ex.input, and stops QEMU when the last of want
// has appeared, on a failure or after limit.
func runQEMUC3(qemu, dir string, ex c3Example, want []string, limit time.Duration) *qemuRun {
	run := &qemuRun{log: newQlog(ex.gpio)}
	logFile, err := os.Create(filepath.Join(dir, "q.log"))
	if err != nil {
		run.problems = append(run.problems, err.Error())
		return run
	}
	defer func() {
		run.log.writeTail(logFile)
		logFile.Close()
	}()
	run.log.keep = logFile

	args := []string{filepath.Join(dir, "fw.bin"), "-icount", "shift=3,align=off,sleep=off", "-d", "int,guest_errors,unimp"}
	if ex.gpio {
		args = append(args, "-trace", "memory_region_ops_write", "-trace", "memory_region_ops_read")
	}
	cmd := exec.Command(qemu, args...)
	// The wrapper (a shell script) runs QEMU as its child: both go in a process group of
	// their own, so that stopping the run stops exactly them. Its scratch flash image goes
	// in dir, so nothing is left behind even if it has to be killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	stdin, err1 := cmd.StdinPipe()
	stdout, err2 := cmd.StdoutPipe()
	stderr, err3 := cmd.StderrPipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		run.problems = append(run.problems, err.Error())
		return run
	}
	if err := cmd.Start(); err != nil {
		run.problems = append(run.problems, fmt.Sprintf("starting QEMU: %v", err))
		return run
	}
	pgid := cmd.Process.Pid

	var (
		mu      sync.Mutex
		out     []byte
		lastOut time.Time
	)
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				mu.Lock()
				out = append(out, buf[:n]...)
				lastOut = time.Now()
				mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			run.log.add(sc.Text())
		}
		io.Copy(io.Discard, stderr)
	}()
	exited := make(chan error, 1)
	go func() {
		readers.Wait()
		exited <- cmd.Wait()
	}()

	last := ""
	if len(want) > 0 {
		last = want[len(want)-1]
	}
	tols := append(append([]numTol(nil), ex.tols...), c3CommonTols...)
	start := time.Now()
	var (
		sent       int       // inputs sent
		from       int       // transcript line after which the next input's trigger is looked for
		fatalAt    time.Time // when a fatal message appeared
		fatal      string
		stop       string // why the run was stopped early; "" when it completed
		complete   bool
		quitReason string
		exitErr    error
		hasExited  bool
		useMonitor = true
	)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		select {
		case exitErr = <-exited:
			hasExited = true
			break loop
		case <-tick.C:
		}
		mu.Lock()
		raw := append([]byte(nil), out...)
		quiet := time.Since(lastOut)
		mu.Unlock()
		fw, booted := firmwareOutput(raw)
		lines := completeLines(fw)
		// Input, one piece per trigger line.
		for sent < len(ex.input) {
			i := findLinePrefix(lines, from, ex.input[sent].after)
			if i < 0 {
				break
			}
			stdin.Write([]byte(ex.input[sent].send))
			sent, from = sent+1, i+1
		}
		st := run.log.state()
		switch {
		case st.storm != "":
			stop, useMonitor = "trap storm: "+st.storm, false
			break loop
		case st.bytes > c3LogFlood:
			stop, useMonitor = fmt.Sprintf("log flood: QEMU logged more than %d MiB", c3LogFlood>>20), false
			break loop
		}
		if len(raw) > c3UARTFlood {
			stop = fmt.Sprintf("UART0 flood: the firmware printed more than %d KiB", c3UARTFlood>>10)
			break loop
		}
		if booted && fatal == "" {
			if f := fatalMessage(fw); f != "" {
				fatal, fatalAt = f, time.Now()
			}
		}
		if fatal != "" {
			if time.Since(fatalAt) > 500*time.Millisecond { // the rest of the message
				stop = fatal
				break loop
			}
			continue
		}
		if booted && sent == len(ex.input) && (last == "" || findLineMatch(lines, last, tols) >= 0) {
			complete = true
			if quiet > 300*time.Millisecond || st.idle {
				break loop
			}
			continue
		}
		// QEMU warns once, the first time the CPU sleeps with no timer armed: nothing but
		// input can wake it. With all input sent and the output quiet, that is the end.
		if st.idle && sent == len(ex.input) && quiet > 2*time.Second {
			quitReason = "the firmware went to sleep for good (QEMU: \"icount sleep disabled and no active timers\")"
			break loop
		}
		if time.Since(start) > limit {
			quitReason = fmt.Sprintf("timed out after %s (wall clock)", limit)
			break loop
		}
	}

	// Stop QEMU: through its monitor (read the SYSTIMER value, then quit), or by signal.
	mu.Lock()
	cut := len(out)
	mu.Unlock()
	if !hasExited {
		if useMonitor {
			run.vtime = monitorVTime(stdin, &mu, &out, cut, exited, &hasExited, &exitErr)
		}
		if !hasExited { // the group: the wrapper and QEMU, nothing else
			syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case exitErr = <-exited:
			case <-time.After(3 * time.Second):
				syscall.Kill(-pgid, syscall.SIGKILL)
				exitErr = <-exited
			}
		}
	}
	stdin.Close()

	mu.Lock()
	run.raw = append([]byte(nil), out[:cut]...)
	mu.Unlock()
	fw, booted := firmwareOutput(run.raw)
	run.booted = booted
	run.transcript = transcriptLines(fw)
	switch {
	case !booted:
		run.problems = append(run.problems, "QEMU did not boot the image: no `entry 0x...` line from the ROM")
	case stop != "":
		run.problems = append(run.problems, stop)
	case !complete && quitReason == "" && hasExited:
		run.problems = append(run.problems, fmt.Sprintf("QEMU exited by itself (%v)", exitErr))
	case !complete && (strings.HasPrefix(quitReason, "timed out") || len(run.transcript) < len(want)):
		// (A complete-length transcript whose last line differs is the comparison's to report.)
		run.problems = append(run.problems, fmt.Sprintf("%s with %d of %d lines", quitReason, len(run.transcript), len(want)))
	}
	return run
}

// monitorVTime switches QEMU's stdio to its monitor, reads SYSTIMER UNIT0_VALUE_HI/LO (the
// value the firmware last latched with UNIT_OP; reading it has no side effect) and quits.
// It returns 0 if the monitor does not answer in time.
func monitorVTime(stdin io.Writer, mu *sync.Mutex, out *[]byte, cut int, exited chan error, hasExited *bool, exitErr *error) time.Duration {
	wait := func(cond func(b []byte) bool, d time.Duration) bool {
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			mu.Lock()
			ok := cond((*out)[cut:])
			mu.Unlock()
			if ok {
				return true
			}
			select {
			case err := <-exited:
				*hasExited, *exitErr = true, err
				return false
			case <-time.After(20 * time.Millisecond):
			}
		}
		return false
	}
	stdin.Write([]byte{0x01, 'c'}) // Ctrl-A c: the monitor
	var vt time.Duration
	if wait(func(b []byte) bool { return bytes.Contains(b, monitorReady) }, 2*time.Second) {
		stdin.Write([]byte("xp /2wx 0x60023040\n"))
		var m [][]byte
		if wait(func(b []byte) bool { m = monitorVTRE.FindSubmatch(b); return m != nil }, 2*time.Second) {
			hi, _ := strconv.ParseUint(string(m[1]), 16, 32)
			lo, _ := strconv.ParseUint(string(m[2]), 16, 32)
			vt = systimerDuration(hi<<32 | lo)
		}
	}
	if !*hasExited {
		stdin.Write([]byte("q\n"))
		select {
		case err := <-exited:
			*hasExited, *exitErr = true, err
		case <-time.After(3 * time.Second):
		}
	}
	return vt
}

// systimerDuration converts SYSTIMER ticks (16 MHz) to a duration.
func systimerDuration(ticks uint64) time.Duration {
	return time.Duration(ticks) * time.Second / 16_000_000
}

// firmwareOutput returns what follows the ROM's `entry 0x...` line, and whether it appeared.
func firmwareOutput(raw []byte) ([]byte, bool) {
	loc := romEntryRE.FindIndex(raw)
	if loc == nil {
		return nil, false
	}
	return raw[loc[1]:], true
}

// transcriptLines splits UART output into lines: CRLF (or a lone CR at a line's end) is a
// line end like LF; a last line without one is kept.
func transcriptLines(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

// completeLines is transcriptLines without a last line still being written.
func completeLines(b []byte) []string {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return transcriptLines(b[:i+1])
	}
	return nil
}

func findLinePrefix(lines []string, from int, prefix string) int {
	for i := from; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], prefix) {
			return i
		}
	}
	return -1
}

func findLineMatch(lines []string, want string, tols []numTol) int {
	for i, l := range lines {
		if linesMatch(want, l, tols) {
			return i
		}
	}
	return -1
}

// fatalMessage returns the first line of firmware output that says the firmware died.
func fatalMessage(fw []byte) string {
	for _, l := range transcriptLines(fw) {
		switch {
		case strings.HasPrefix(l, "panic: "):
			return "Go panic: " + l
		case strings.Contains(l, "*** Exception"):
			return "TinyGo exception: " + l
		case strings.Contains(l, "Guru Meditation"):
			return l
		case strings.HasPrefix(l, "ESP-ROM:"):
			return "the chip reset: the boot ROM ran again"
		}
	}
	return ""
}

// ---- the log: traps, guest errors, the LED ----

// qlog digests QEMU's -d int,guest_errors,unimp (and -trace) log as it streams in.
type qlog struct {
	mu    sync.Mutex
	now   func() time.Time
	keep  io.Writer // q.log: the first c3LogKeep bytes
	kept  int64
	lines int64
	bytes int64

	traps       map[trapKey]int // over the whole run
	window      map[trapKey]int // since windowStart, for storms
	windowStart time.Time
	storm       string
	stormKey    trapKey
	onset       map[trapKey][]string // the log lines up to each trap key's first trap
	idle        bool

	guest      map[string]*guestEntry
	guestOther int

	tail []tailLine // the last lines, consecutive repeats collapsed
	gpio *gpioTrace
}

type trapKey struct{ desc, epc string }

// guestEntry is a group of guest-error lines: label says what, block (for invalid
// accesses, else -1) which 64 KiB of the address space; min and max are the addresses seen.
type guestEntry struct {
	label    string
	block    int64
	n        int
	min, max uint64
	ranged   bool
}

func (e *guestEntry) key() string { return e.label + "@" + strconv.FormatInt(e.block, 16) }

type tailLine struct {
	line string
	n    int
}

type qlogState struct {
	storm string
	bytes int64
	idle  bool
}

func newQlog(gpio bool) *qlog {
	l := &qlog{now: time.Now, traps: map[trapKey]int{}, window: map[trapKey]int{}, onset: map[trapKey][]string{},
		guest: map[string]*guestEntry{}}
	if gpio {
		l.gpio = &gpioTrace{}
	}
	return l
}

var (
	trapRE  = regexp.MustCompile(`^riscv_cpu_do_interrupt: hart:\d+, async:(\d), cause:[0-9a-f]+, epc:(0x[0-9a-f]+), tval:0x[0-9a-f]+, desc=(\S+)`)
	mmioRE  = regexp.MustCompile(`^memory_region_ops_(read|write) cpu \d+ mr 0x[0-9a-f]+ addr (0x[0-9a-f]+) value (0x[0-9a-f]+) size \d+`)
	cacheRE = regexp.MustCompile(`^\[CACHE\] ignored write to flash-mapped address (0x[0-9a-f]+)`)
	unimpRE = regexp.MustCompile(`^(\S+): unimplemented device (read|write)\s*\(size (\d+), offset (0x[0-9a-f]+)`)
	invalRE = regexp.MustCompile(`^Invalid (read|write) at addr (0x[0-9a-fA-F]+), size (\d+), region '([^']*)', reason: (.*)$`)
	valueRE = regexp.MustCompile(`value 0x[0-9a-fA-F]+`)
)

func (l *qlog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines++
	l.bytes += int64(len(line)) + 1
	if l.keep != nil && l.kept < c3LogKeep {
		n, _ := io.WriteString(l.keep, line+"\n")
		l.kept += int64(n)
	}
	if k := len(l.tail); k > 0 && l.tail[k-1].line == line {
		l.tail[k-1].n++
	} else {
		if k == c3TailKeep {
			copy(l.tail, l.tail[1:])
			l.tail = l.tail[:k-1]
		}
		l.tail = append(l.tail, tailLine{line, 1})
	}

	if m := trapRE.FindStringSubmatch(line); m != nil {
		k := trapKey{desc: m[3], epc: m[2]}
		if l.traps[k] == 0 && len(l.onset) < 100 {
			l.onset[k] = l.lastLinesLocked(c3OnsetShow)
		}
		l.traps[k]++
		now := l.now()
		if now.Sub(l.windowStart) > c3StormWindow {
			clear(l.window)
			l.windowStart = now
		}
		l.window[k]++
		if l.window[k] > c3StormTraps && l.storm == "" {
			l.storm = fmt.Sprintf("more than %d %s traps at epc %s within %s (wall clock)", c3StormTraps, k.desc, k.epc, c3StormWindow)
			l.stormKey = k
		}
		return
	}
	if strings.HasPrefix(line, "memory_region_ops_") {
		if l.gpio != nil {
			if m := mmioRE.FindStringSubmatch(line); m != nil {
				addr, _ := strconv.ParseUint(m[2][2:], 16, 64)
				val, _ := strconv.ParseUint(m[3][2:], 16, 64)
				l.gpio.access(m[1] == "write", addr, val)
			}
		}
		return
	}
	if strings.HasPrefix(line, "qemu-system-riscv32: ") {
		if strings.Contains(line, "no active timers") {
			l.idle = true
		}
		return
	}
	if line == "Adding SPI flash device" || strings.TrimSpace(line) == "" {
		return // the flash model's greeting
	}
	g := guestGroup(line)
	e := l.guest[g.key()]
	if e == nil {
		if len(l.guest) >= 1000 {
			l.guestOther++
			return
		}
		e = &g
		l.guest[g.key()] = e
	}
	e.n++
	e.min, e.max = min(e.min, g.min), max(e.max, g.max)
}

// guestKey groups a guest-error or unimplemented-access line: by register for an
// unimplemented device; by 64 KiB block for invalid accesses, with the address range (a
// stack overflowing into unmapped memory writes thousands of addresses); all the ignored
// flash-window writes as one.
func guestGroup(line string) guestEntry {
	if m := cacheRE.FindStringSubmatch(line); m != nil {
		a, _ := strconv.ParseUint(m[1][2:], 16, 64)
		return guestEntry{label: "[CACHE] ignored write to flash-mapped address", block: -1, min: a, max: a, ranged: true}
	}
	if m := unimpRE.FindStringSubmatch(line); m != nil {
		return guestEntry{label: fmt.Sprintf("%s: unimplemented device %s at offset %s (size %s)", m[1], m[2], m[4], m[3]), block: -1}
	}
	if m := invalRE.FindStringSubmatch(line); m != nil {
		a, _ := strconv.ParseUint(m[2][2:], 16, 64)
		return guestEntry{label: fmt.Sprintf("Invalid %s, size %s, region '%s', reason: %s", m[1], m[3], m[4], m[5]),
			block: int64(a >> 16), min: a, max: a, ranged: true}
	}
	return guestEntry{label: valueRE.ReplaceAllString(line, "value …"), block: -1}
}

func (e *guestEntry) String() string { return fmt.Sprintf("%7d× %s", e.n, e.desc()) }

// desc is the group without its count.
func (e *guestEntry) desc() string {
	s := e.label
	if e.ranged {
		if e.min == e.max {
			s += fmt.Sprintf(", at 0x%X", e.min)
		} else {
			s += fmt.Sprintf(", at 0x%X..0x%X", e.min, e.max)
		}
	}
	return s
}

// stormOnset returns the log lines up to the first trap of the storm, if there was one.
func (l *qlog) stormOnset() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.storm == "" {
		return nil
	}
	return l.onset[l.stormKey]
}

func (l *qlog) state() qlogState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return qlogState{storm: l.storm, bytes: l.bytes, idle: l.idle}
}

// guestList returns the grouped guest errors, most frequent first; groups of invalid
// accesses in adjacent 64 KiB blocks are merged (a stack overflowing is one entry).
func (l *qlog) guestList() []*guestEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	byAddr := make([]*guestEntry, 0, len(l.guest))
	for _, e := range l.guest {
		c := *e
		byAddr = append(byAddr, &c)
	}
	sort.Slice(byAddr, func(i, j int) bool {
		if byAddr[i].label != byAddr[j].label {
			return byAddr[i].label < byAddr[j].label
		}
		return byAddr[i].block < byAddr[j].block
	})
	var list []*guestEntry
	for _, e := range byAddr {
		if k := len(list); k > 0 && e.block >= 0 && list[k-1].label == e.label && list[k-1].block >= 0 && e.block <= list[k-1].block+1 {
			p := list[k-1]
			p.n += e.n
			p.block = e.block
			p.min, p.max = min(p.min, e.min), max(p.max, e.max)
			continue
		}
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].label < list[j].label
	})
	return list
}

// trapSummary lists the traps by cause and epc, most frequent first.
func (l *qlog) trapSummary(max int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	type kv struct {
		k trapKey
		n int
	}
	var list []kv
	total := 0
	for k, n := range l.traps {
		list = append(list, kv{k, n})
		total += n
	}
	if total == 0 {
		return "no traps"
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].k.epc < list[j].k.epc
	})
	var parts []string
	for i, e := range list {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(list)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%d %s at %s", e.n, e.k.desc, e.k.epc))
	}
	return fmt.Sprintf("%d traps: %s", total, strings.Join(parts, ", "))
}

// lastLines returns up to n of the last log lines, repeats collapsed.
func (l *qlog) lastLines(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastLinesLocked(n)
}

func (l *qlog) lastLinesLocked(n int) []string {
	t := l.tail
	if len(t) > n {
		t = t[len(t)-n:]
	}
	var out []string
	for _, e := range t {
		if e.n > 1 {
			out = append(out, fmt.Sprintf("%s   [×%d]", e.line, e.n))
		} else {
			out = append(out, e.line)
		}
	}
	return out
}

// writeTail closes q.log with the lines after its first c3LogKeep bytes, if any were left out.
func (l *qlog) writeTail(w io.Writer) {
	l.mu.Lock()
	kept, total, lines := l.kept, l.bytes, l.lines
	l.mu.Unlock()
	if kept >= total {
		return
	}
	fmt.Fprintf(w, "[tinygorun: %d lines, %d bytes of log in all; q.log keeps the first %d bytes and the last lines]\n", lines, total, kept)
	for _, s := range l.lastLines(c3TailKeep) {
		fmt.Fprintln(w, s)
	}
}

// gpioTrace follows GPIO8's output level in QEMU's MMIO trace, timing each change by the
// next SYSTIMER unit 0 reading.
type gpioTrace struct {
	level   bool
	toggles []gpioToggle
	hi      uint64
}

type gpioToggle struct {
	level bool
	ticks uint64
	timed bool
}

const (
	gpioOut     = 0x60004004
	gpioOutW1TS = 0x60004008
	gpioOutW1TC = 0x6000400C
	systimerHI  = 0x60023040 // UNIT0_VALUE_HI
	systimerLO  = 0x60023044 // UNIT0_VALUE_LO
	ledPinMask  = 1 << 8
)

func (g *gpioTrace) access(write bool, addr, val uint64) {
	if !write {
		switch addr {
		case systimerHI:
			g.hi = val
		case systimerLO:
			for i := len(g.toggles) - 1; i >= 0 && !g.toggles[i].timed; i-- {
				g.toggles[i].ticks, g.toggles[i].timed = g.hi<<32|val, true
			}
		}
		return
	}
	level := g.level
	switch {
	case addr == gpioOutW1TS && val&ledPinMask != 0:
		level = true
	case addr == gpioOutW1TC && val&ledPinMask != 0:
		level = false
	case addr == gpioOut:
		level = val&ledPinMask != 0
	}
	if level != g.level {
		g.level = level
		g.toggles = append(g.toggles, gpioToggle{level: level})
	}
}

// check reports the toggles and whether there are n of them, alternating from high, every
// interval ± tolerance.
func (g *gpioTrace) check(n int, interval, tolerance time.Duration) (string, bool) {
	if len(g.toggles) == 0 {
		return "no GPIO8 write in QEMU's trace changed the pin", false
	}
	var problems []string
	if len(g.toggles) != n {
		problems = append(problems, fmt.Sprintf("toggled %d times, want %d", len(g.toggles), n))
	}
	var lo, hi time.Duration
	for i, t := range g.toggles {
		if t.level != (i%2 == 0) {
			problems = append(problems, fmt.Sprintf("toggle %d drives the pin %s", i+1, map[bool]string{true: "high", false: "low"}[t.level]))
			break
		}
		if !t.timed {
			problems = append(problems, fmt.Sprintf("no SYSTIMER reading after toggle %d", i+1))
			break
		}
		if i == 0 {
			continue
		}
		d := systimerDuration(t.ticks - g.toggles[i-1].ticks)
		if i == 1 || d < lo {
			lo = d
		}
		if i == 1 || d > hi {
			hi = d
		}
		if d < interval-tolerance || d > interval+tolerance {
			problems = append(problems, fmt.Sprintf("toggles %d and %d are %v apart, want %v ± %v", i, i+1, d, interval, tolerance))
		}
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
	desc := fmt.Sprintf("%d toggles", len(g.toggles))
	if g.toggles[0].timed {
		desc += ", the first at " + ms(systimerDuration(g.toggles[0].ticks))
	}
	if len(g.toggles) > 1 && hi > 0 {
		desc += fmt.Sprintf(", %s to %s apart (want %v ± %v)", ms(lo), ms(hi), interval, tolerance)
	}
	if len(problems) > 0 {
		return desc + ": " + strings.Join(problems, "; "), false
	}
	return desc, true
}

// ---- comparing transcripts ----

// numRE finds the numbers in a line: hexadecimal (compared exactly) or decimal.
var numRE = regexp.MustCompile(`0x[0-9a-fA-F]+|\d+(?:\.\d+)?`)

// linesMatch reports whether the QEMU line q says what the simulator's line s says: the same
// text, and the same numbers, or numbers within a tolerance of tols (the first whose
// before/after patterns match the text around s's number).
func linesMatch(s, q string, tols []numTol) bool {
	if s == q {
		return true
	}
	si, qi := numRE.FindAllStringIndex(s, -1), numRE.FindAllStringIndex(q, -1)
	if len(si) != len(qi) {
		return false
	}
	ps, pq := 0, 0
	for k := range si {
		if s[ps:si[k][0]] != q[pq:qi[k][0]] {
			return false
		}
		a, b := s[si[k][0]:si[k][1]], q[qi[k][0]:qi[k][1]]
		if a != b && !numbersClose(a, b, s[:si[k][0]], s[si[k][1]:], tols) {
			return false
		}
		ps, pq = si[k][1], qi[k][1]
	}
	return s[ps:] == q[pq:]
}

func numbersClose(a, b, before, after string, tols []numTol) bool {
	if strings.HasPrefix(a, "0x") || strings.HasPrefix(b, "0x") {
		return false
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, t := range tols {
		if (t.before == nil || t.before.MatchString(before)) && (t.after == nil || t.after.MatchString(after)) {
			return math.Abs(x-y) <= t.abs+t.rel*math.Max(math.Abs(x), math.Abs(y))+1e-9
		}
	}
	return false
}

func filterLines(lines []string, ignore *regexp.Regexp) []string {
	if ignore == nil {
		return lines
	}
	var out []string
	for _, l := range lines {
		if !ignore.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// c3Comparison is the outcome of compareTranscripts.
type c3Comparison struct {
	ok                 bool
	matched, want, got int // lines matched; the simulator's and QEMU's lines, ignored ones left out
	tolerated          int // matched lines whose numbers differ within tolerance
	ignoredSim         int
	ignoredQEMU        int
	diff               []diffLine
}

type diffLine struct {
	op   byte // ' ' the same, '~' the same within tolerance, '-' the simulator's only, '+' QEMU's only
	line string
}

// compareTranscripts matches QEMU's lines to the simulator's in order (a longest common
// subsequence under linesMatch) after dropping the lines ignore matches from both.
func compareTranscripts(sim, qemu []string, ignore *regexp.Regexp, tols []numTol) c3Comparison {
	s, q := filterLines(sim, ignore), filterLines(qemu, ignore)
	c := c3Comparison{want: len(s), got: len(q), ignoredSim: len(sim) - len(s), ignoredQEMU: len(qemu) - len(q)}
	n, m := len(s), len(q)
	// lcs[i][j]: the longest match of s[i:] and q[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if linesMatch(s[i], q[j], tols) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && linesMatch(s[i], q[j], tols) && lcs[i][j] == lcs[i+1][j+1]+1:
			op := byte(' ')
			if s[i] != q[j] {
				op = '~'
			}
			c.diff = append(c.diff, diffLine{op, q[j]})
			c.matched++
			if op == '~' {
				c.tolerated++
			}
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			c.diff = append(c.diff, diffLine{'-', s[i]})
			i++
		default:
			c.diff = append(c.diff, diffLine{'+', q[j]})
			j++
		}
	}
	c.ok = c.matched == n && c.matched == m
	return c
}

// ---- reporting ----

func (res *c3Result) report(kept bool) string {
	var b strings.Builder
	if len(res.problems) == 0 {
		fmt.Fprintf(&b, "  %s: ok: %d of %d lines as on the simulator", res.name, res.cmp.matched, res.cmp.want)
		if res.cmp.tolerated > 0 {
			fmt.Fprintf(&b, " (%d with numbers within tolerance)", res.cmp.tolerated)
		}
		if res.cmp.ignoredSim+res.cmp.ignoredQEMU > 0 {
			fmt.Fprintf(&b, " (timing-dependent lines left out: %d simulator, %d QEMU; %s)", res.cmp.ignoredSim, res.cmp.ignoredQEMU, res.ex.why)
		}
		if res.gpioReport != "" {
			fmt.Fprintf(&b, "; GPIO8: %s", res.gpioReport)
		}
		b.WriteString("\n")
		if res.stack != "" {
			if len(res.ex.buildFlags) > 0 {
				fmt.Fprintf(&b, "    built with %s\n", strings.Join(res.ex.buildFlags, " "))
			}
			fmt.Fprintf(&b, "    stack on QEMU: %s\n", res.stack)
		}
		if res.ex.figures != nil {
			for _, l := range res.qemu {
				if res.ex.figures.MatchString(l) {
					fmt.Fprintf(&b, "    on QEMU: %s\n", l)
				}
			}
		}
		return b.String()
	}
	fmt.Fprintf(&b, "  %s: FAIL\n", res.name)
	for _, p := range res.problems {
		fmt.Fprintf(&b, "    - %s\n", p)
	}
	if !res.ran {
		return b.String()
	}
	if res.log != nil {
		fmt.Fprintf(&b, "    QEMU log: %d lines; %s\n", res.log.lines, res.log.trapSummary(4))
	}
	if res.gpioReport != "" {
		fmt.Fprintf(&b, "    GPIO8: %s\n", res.gpioReport)
	}
	{
		fmt.Fprintf(&b, "    UART0 transcript, simulator (-) against QEMU (+); ~ equal within tolerance:\n")
		d := res.cmp.diff
		if len(d) > 80 {
			d = d[:80]
		}
		for _, l := range d {
			fmt.Fprintf(&b, "      %c %s\n", l.op, l.line)
		}
		if len(res.cmp.diff) > len(d) {
			fmt.Fprintf(&b, "      … %d more lines\n", len(res.cmp.diff)-len(d))
		}
		if res.cmp.ignoredSim+res.cmp.ignoredQEMU > 0 {
			fmt.Fprintf(&b, "      (left out as timing-dependent: %d simulator lines, %d QEMU lines)\n", res.cmp.ignoredSim, res.cmp.ignoredQEMU)
		}
	}
	if onset := res.log.stormOnset(); len(onset) > 0 {
		fmt.Fprintf(&b, "    the QEMU log up to the storm's first trap:\n")
		for _, l := range onset {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	if res.log != nil {
		where := ""
		if kept {
			where = " (" + filepath.Join(res.dir, "q.log") + ")"
		}
		fmt.Fprintf(&b, "    last lines of the QEMU log%s:\n", where)
		for _, l := range res.log.lastLines(c3TailShow) {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	return b.String()
}

// printGuestErrors lists, per example, what QEMU logged as guest errors or unimplemented
// accesses, grouped and counted.
func printGuestErrors(results []*c3Result) {
	fmt.Println("  QEMU guest errors and unimplemented accesses (-d guest_errors,unimp), grouped, per example:")
	for _, r := range results {
		if !r.ran || r.log == nil {
			continue
		}
		list := r.log.guestList()
		if len(list) == 0 && r.log.guestOther == 0 {
			fmt.Printf("    %s: none\n", r.name)
			continue
		}
		fmt.Printf("    %s:\n", r.name)
		for i, e := range list {
			if i == 12 {
				rest := 0
				for _, e := range list[i:] {
					rest += e.n
				}
				fmt.Printf("      … and %d more groups (%d lines)\n", len(list)-i, rest)
				break
			}
			fmt.Println("      " + e.String() + bootNote(e.label))
		}
		if r.log.guestOther > 0 {
			fmt.Printf("      … and %d lines in groups past the first 1000\n", r.log.guestOther)
		}
	}
}

// bootNote explains the entries every image's boot produces.
func bootNote(label string) string {
	switch {
	case strings.HasPrefix(label, "[CACHE] ignored write"):
		// The addresses are the image's DROM and IROM segments (the ROM's load: lines).
		return "  (boot ROM: the loader writing the image's flash-mapped segments; the chip drops them too)"
	case strings.HasPrefix(label, "M25P80: Read id"):
		return "  (boot ROM: its flash probe)"
	}
	return ""
}

func printC3Summary(results []*c3Result) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  example\tresult\tQEMU vtime\tsim vtime\tlines matched\t.data\t.bss\tstatic RAM\t")
	for _, r := range results {
		result := "ok"
		if len(r.problems) > 0 {
			result = "FAIL"
		}
		qt, st, lines, data, bss, ram := "-", "-", "-", "-", "-", "-"
		if r.qemuTime > 0 {
			qt = fmtVTime(r.qemuTime)
		}
		if r.simTime > 0 {
			st = fmtVTime(r.simTime)
		}
		if r.ran {
			lines = fmt.Sprintf("%d/%d", r.cmp.matched, r.cmp.want)
		}
		if r.built && r.ramErr == nil {
			data, bss, ram = strconv.FormatUint(r.data, 10), strconv.FormatUint(r.bss, 10), strconv.FormatUint(r.data+r.bss, 10)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, result, qt, st, lines, data, bss, ram)
	}
	tw.Flush()
	fmt.Println("  (QEMU vtime: SYSTIMER unit 0 as the firmware last read it, from reset, ROM boot included;" +
		" echo waits for the harness's input while its ticker lets virtual time run ahead." +
		" static RAM: .data + .bss of the ELF, in bytes, without the stack and heap)")
}

func fmtVTime(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3f s", d.Seconds())
	default:
		return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
	}
}
