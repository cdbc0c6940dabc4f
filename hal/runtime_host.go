//go:build !tinygo

package hal

// reserveRuntimeTimer does nothing on the host: the simulator's Go runtime keeps its own
// time, so TIMG0 is free for drivers.
func reserveRuntimeTimer() error { return nil }
