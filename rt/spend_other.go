//go:build tinygo && !esp32c3

package rt

// spend does nothing: rt has no cycle counter on this target (Cycles returns 0).
func spend(cycles uint32) {}
