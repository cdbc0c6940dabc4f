//go:build tinygo && esp32c3

package rt

// spend busy-waits on the cycle counter (mpccr), which counts while the core runs.
func spend(cycles uint32) {
	start := Cycles()
	for Cycles()-start < cycles {
	}
}
