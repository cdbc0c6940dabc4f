package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tracedPaths are the paths the wake-trace step counts, each in the instruction trace of
// its own firmware (one task type each: a second one in the program makes TinyGo's Poll
// dispatch and the outliner's choices, and so the counts, differ), from its first
// instruction (from: a marker function's return, or with countFrom the entry of from
// itself) to the entry of the task's poll marker (to), and the most instructions each may
// take: the count when the budget was set, plus a margin. Issue 17's target for the wake
// path is 100; README says what stands in the way.
var tracedPaths = []struct {
	what, pkg, from, to string
	countFrom           bool
	budget              int
}{
	{"Waker.Wake() in a handler -> the woken task's Poll, thread executor awake", "./examples/qemu/waketrace", "main.wakeMarker", "main.pollMarker", false, 230},
	{"SYSTIMER alarm trap -> its timer's task's Poll, thread executor asleep in WFI", "./examples/qemu/alarmtrace", "gohal_trap_entry", "main.pollMarker", true, 570},
}

// wakeTraceRanges are the code QEMU logs: the flash-mapped text and internal SRAM's
// instruction bus (where TinyGo puts its trap handler), not the mask ROM's boot.
const wakeTraceRanges = "0x42000000..0x427fffff,0x40380000..0x403dffff"

// wakeTrace builds each traced path's firmware, runs it on Espressif's QEMU logging every
// instruction it executes, and prints the path's instructions function by function; it
// fails when one is over its budget.
func (r *runner) wakeTrace() error {
	qemu, why := findQEMUC3()
	if qemu == "" {
		fmt.Printf("  wake-trace: skipped: %s\n", why)
		return nil
	}
	dir, err := os.MkdirTemp("", "tinygorun-waketrace-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var errs []error
	for _, path := range tracedPaths {
		windows, err := r.traceFirmware(qemu, dir, path.pkg, path.from, path.to, path.countFrom)
		if err != nil {
			return err
		}
		var counts []string
		worst := 0
		for _, w := range windows {
			counts = append(counts, strconv.Itoa(w.total))
			worst = max(worst, w.total)
		}
		fmt.Printf("  %s: %s instructions (%d traced on Espressif's QEMU)\n", path.what, strings.Join(counts, ", "), len(windows))
		for _, p := range windows[len(windows)-1].parts {
			fmt.Printf("    %4d  %s\n", p.n, shortSymbol(p.fn))
		}
		if worst > path.budget {
			errs = append(errs, fmt.Errorf("%s took %d instructions, over its budget of %d (internal/tinygorun tracedPaths): see the parts above", path.what, worst, path.budget))
		}
	}
	return errors.Join(errs...)
}

// traceFirmware builds pkg, runs it on QEMU until it prints "<name>: done", logging every
// instruction, and cuts the log into windows (traceWindows); it fails when there is none.
func (r *runner) traceFirmware(qemu, dir, pkg, from, to string, countFrom bool) ([]traceWindow, error) {
	name := filepath.Base(pkg)
	elfPath, binPath, logPath := filepath.Join(dir, name+".elf"), filepath.Join(dir, name+".bin"), filepath.Join(dir, name+".log")
	for _, out := range []string{elfPath, binPath} {
		if _, err := r.output(context.Background(), r.tinygo, "build", "-target=esp32c3", "-serial=uart", "-o", out, pkg); err != nil {
			return nil, err
		}
	}
	if err := runUntil(qemu, []string{binPath, "-icount", "shift=3,align=off,sleep=off", "-accel", "tcg,one-insn-per-tb=on",
		"-d", "exec,nochain", "-dfilter", wakeTraceRanges, "-D", logPath}, name+": done", 60*time.Second); err != nil {
		return nil, err
	}
	f, err := elf.Open(elfPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fns, err := functionsOf(f)
	if err != nil {
		return nil, err
	}
	log, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	windows, err := traceWindows(log, fns, from, to, countFrom)
	if err != nil {
		return nil, err
	}
	if len(windows) == 0 {
		return nil, fmt.Errorf("%s: no window from %s to %s in QEMU's instruction trace", pkg, from, to)
	}
	return windows, nil
}

// runUntil runs a command (in its own process group: the QEMU wrapper is a shell script)
// until its output contains done, then stops it.
func runUntil(name string, args []string, done string, limit time.Duration) error {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return err
	}
	// One Wait, in its own goroutine: it returns when QEMU has exited and its output is
	// copied, and closing the pipe then ends the scanner. (Two Waits on one Cmd deadlock:
	// the second waits for output copying that the first already collected.)
	exited := make(chan struct{})
	go func() { cmd.Wait(); pw.Close(); close(exited) }()
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	found := make(chan bool, 1)
	var out bytes.Buffer
	go func() {
		s := bufio.NewScanner(pr)
		for s.Scan() {
			out.WriteString(s.Text() + "\n")
			if strings.Contains(s.Text(), done) {
				found <- true
				io.Copy(io.Discard, pr)
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		stop()
		if !ok {
			return fmt.Errorf("%s ended before printing %q:\n%s", name, done, indent(out.String()))
		}
		return nil
	case <-time.After(limit):
		stop()
		return fmt.Errorf("%s did not print %q within %s", name, done, limit)
	}
}

// function is a symbol of type FUNC: [addr, addr+size).
type function struct {
	name       string
	addr, size uint64
}

// functionsOf returns f's functions sorted by address.
func functionsOf(f *elf.File) ([]function, error) {
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	var fns []function
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			fns = append(fns, function{s.Name, s.Value, s.Size})
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].addr < fns[j].addr })
	return fns, nil
}

// functionAt names the function whose code holds pc ("?" outside all of them).
func functionAt(fns []function, pc uint64) function {
	i := sort.Search(len(fns), func(i int) bool { return fns[i].addr > pc }) - 1
	if i < 0 || (fns[i].size > 0 && pc >= fns[i].addr+fns[i].size) {
		return function{name: "?"}
	}
	return fns[i]
}

// traceWindow is the instructions between the two markers, by function in order of first
// execution.
type traceWindow struct {
	total int
	parts []tracePart
}

type tracePart struct {
	fn string
	n  int
}

// tracePC finds the guest PC in a line of QEMU's -d exec log ("Trace 0: 0x... [00000000/
// 0000000042003fb6/07014003/ff022201] ...").
var tracePC = regexp.MustCompile(`\[[0-9a-f]+/([0-9a-f]+)/`)

// traceWindows cuts the trace into windows: from the first instruction after function from
// returns to the entry of function to (neither marker's own instructions counted). With
// countFrom, from is not a marker but the first code of the path (a trap entry): a window
// starts at its entry and counts its instructions.
func traceWindows(log io.Reader, fns []function, from, to string, countFrom bool) ([]traceWindow, error) {
	var fromFn, toFn function
	for _, f := range fns {
		switch f.name {
		case from:
			fromFn = f
		case to:
			toFn = f
		}
	}
	if fromFn.name == "" || toFn.name == "" {
		return nil, fmt.Errorf("no %s or %s in the ELF", from, to)
	}
	var windows []traceWindow
	var cur *traceWindow
	index := map[string]int{}
	s := bufio.NewScanner(log)
	s.Buffer(make([]byte, 64*1024), 1<<20)
	for s.Scan() {
		m := tracePC.FindSubmatch(s.Bytes())
		if m == nil {
			continue
		}
		pc, err := strconv.ParseUint(string(m[1]), 16, 64)
		if err != nil {
			continue
		}
		inFrom := pc >= fromFn.addr && pc < fromFn.addr+max(fromFn.size, 1)
		if pc == fromFn.addr {
			cur, index = &traceWindow{}, map[string]int{}
		}
		switch {
		case inFrom && !countFrom:
			// the marker's own body
		case cur != nil && pc == toFn.addr:
			windows = append(windows, *cur)
			cur = nil
		case cur != nil:
			name := functionAt(fns, pc).name
			i, ok := index[name]
			if !ok {
				i = len(cur.parts)
				index[name] = i
				cur.parts = append(cur.parts, tracePart{fn: name})
			}
			cur.parts[i].n++
			cur.total++
		}
	}
	return windows, s.Err()
}
