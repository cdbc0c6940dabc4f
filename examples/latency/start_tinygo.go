//go:build tinygo

package main

// start runs the firmware on the chip itself.
func start(firmware func()) { firmware() }
