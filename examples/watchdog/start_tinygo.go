//go:build tinygo

package main

import "github.com/gohal/gohal/examples/internal/chipstart"

// start runs the firmware on the chip itself, then reports its stack's high-water mark.
// When the watchdog resets the chip, the ROM boots the firmware again; that run finds the
// watchdog's reset cause and stops.
func start(firmware func()) { chipstart.Run(firmware) }
