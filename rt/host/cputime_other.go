//go:build !tinygo && !linux

package host

// haveThreadCPU reports whether threadCPU reads a per-thread CPU clock: not on this host.
const haveThreadCPU = false

func threadCPU() uint64 { return 0 }
