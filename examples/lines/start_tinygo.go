//go:build tinygo

package main

import "github.com/gohal/gohal/examples/internal/chipstart"

// start runs the firmware on the chip itself, then reports the stack high-water marks: the
// firmware's and each straight-line task's.
func start(firmware func()) {
	chipstart.Run(firmware)
	chipstart.TaskStack("reader", taskStacks[0])
	chipstart.TaskStack("writer", taskStacks[1])
}
