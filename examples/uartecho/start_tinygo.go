//go:build tinygo

package main

// start runs the firmware on the chip itself. (No stack report: that would link the
// executor-free program's only extra, examples/internal/chipstart, into the size figure.)
func start(firmware func()) { firmware() }
