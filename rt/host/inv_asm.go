//go:build !tinygo && (amd64 || arm64)

package host

// The CPU model's own bookkeeping is shared between the goroutines of one simulated core,
// which hand control to each other. On a real core that bookkeeping is the hardware itself
// and creates no ordering between thread code and interrupt handlers, so here it must not
// either: sync/atomic, channels and mutexes all create happens-before edges under the race
// detector and would hide the very races it should report. These few atomics are written in
// assembly, which the race detector does not see, while still being real atomic operations
// with acquire/release ordering for the hardware.

// invisible reports whether the model's handoffs are hidden from the race detector.
const invisible = true

// getg returns the address of the calling goroutine's descriptor: a cheap, stable identity
// for as long as the goroutine lives.
func getg() uint64

func load32(p *uint32) uint32
func store32(p *uint32, v uint32)
func cas32(p *uint32, old, new uint32) bool
func load64(p *uint64) uint64
func store64(p *uint64, v uint64)
func add64(p *uint64, d uint64) uint64
func cas64(p *uint64, old, new uint64) bool
