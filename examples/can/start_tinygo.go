//go:build tinygo

package main

import "github.com/gohal/gohal/examples/internal/chipstart"

// start runs the firmware on the chip itself, then reports its stack's high-water mark.
func start(firmware func()) { chipstart.Run(firmware) }
