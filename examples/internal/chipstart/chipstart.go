//go:build tinygo

// Package chipstart runs an example's firmware on the chip and then reports how deep its
// stack went: the examples' start function under TinyGo. make qemu-c3 reads the report
// from Espressif's QEMU and prints it beside the example's other on-target figures.
package chipstart

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/rt"
)

// StackReportPrefix begins the report line, so that a harness can tell it from the
// firmware's own output (the simulator has no such line).
const StackReportPrefix = "gohal: stack: "

// Run runs firmware, then prints (with println: UART0 when built with -serial=uart) the
// deepest point the stack reached below Run's own frame, interrupt handlers included
// (they run on the stack they interrupt), and how much of the goroutine stack was never
// touched.
func Run(firmware func()) {
	entry := rt.StackPointer()
	firmware()
	low, bottom, ok := rt.StackLowWater()
	if !ok {
		println(StackReportPrefix + "not measured (no stack canary found below the stack pointer)")
		return
	}
	println(StackReportPrefix+"deepest", int(entry-low), "bytes below the firmware's entry,", int(low-bottom), "bytes of the goroutine stack never used")
}

// TaskStack prints what a straight-line task's T.StackUse measured, as a stack report line:
// how deep its goroutine stack went and how much of it was never used.
func TaskStack(name string, s async.StackUse) {
	if !s.Measured {
		println(StackReportPrefix+"task", name+": not measured")
		return
	}
	println(StackReportPrefix+"task", name+": deepest", s.Deepest, "bytes below its entry,", s.Unused, "bytes of its goroutine stack never used")
}
