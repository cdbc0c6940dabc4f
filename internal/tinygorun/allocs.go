package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The allocs step: TinyGo's own escape analysis (-print-allocs) on examples/lines, a
// program of straight-line tasks using the typed awaits, and examples/echo, stackless tasks
// from async.Spawn polling the UART's futures, proves that the paths a wake-up
// runs allocate nothing on the chip: the awaits, every Poll, the wakers, the interrupt
// handlers and the timer queue's expiry. The host tests prove the same with
// testing.AllocsPerRun; TinyGo's heap rules differ from Go's (a closure passed on, a
// slice of a local array, an interface conversion can allocate under one and not the
// other), so both are checked.

// allocsPrograms are the programs checked.
var allocsPrograms = []string{"./examples/lines", "./examples/echo"}

// wakePaths matches the functions (as TinyGo names them, package path included) that run
// per await and per wake-up.
var wakePaths = `\.Await|\.Poll$|\.Wake$|\.Handle$|onInterrupt|onAlarm|\.expire$|pollReady|releaseWake|pollPointer|pollInterface`

// allocsControl matches a function that does allocate (the executor's constructor makes its
// task table), so the step also shows that TinyGo reports what it should: a -print-allocs
// that printed nothing at all would otherwise pass.
const (
	allocsControl     = `hal/executor\.Thread$`
	allocsControlFile = "hal/executor/executor.go"
)

var allocLine = regexp.MustCompile(`(?m)^(\S+\.go):(\d+):\d+: object allocated on the heap: (.*)$`)

func (r *runner) allocs() error {
	for _, program := range allocsPrograms {
		if err := r.allocsOf(program); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) allocsOf(program string) error {
	dir, err := os.MkdirTemp("", "tinygorun-allocs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out, err := r.output(context.Background(), r.tinygo, "build", "-target=esp32c3",
		"-print-allocs="+wakePaths+"|"+allocsControl, "-o", filepath.Join(dir, "fw.elf"), program)
	if err != nil {
		return err
	}
	var control int
	var found []string
	for _, m := range allocLine.FindAllStringSubmatch(out, -1) {
		if strings.HasSuffix(filepath.ToSlash(m[1]), allocsControlFile) {
			control++
			continue
		}
		found = append(found, fmt.Sprintf("%s:%s: %s", m[1], m[2], m[3]))
	}
	if control == 0 {
		return fmt.Errorf("%s: -print-allocs reported no allocation in %s, which has some: the check cannot see allocations\n%s",
			program, allocsControl, indent(out))
	}
	if len(found) > 0 {
		return fmt.Errorf("%s: heap allocations on the await and wake-up paths (functions matching %s):\n%s",
			program, wakePaths, indent(strings.Join(found, "\n")))
	}
	fmt.Printf("  %s: no heap allocation on the await and wake-up paths (TinyGo -print-allocs; the control, %s, shows %d)\n",
		program, allocsControl, control)
	return nil
}
