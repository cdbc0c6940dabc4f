//go:build !tinygo && !amd64 && !arm64

package host

import (
	"runtime"
	"sync/atomic"
)

// On architectures without the assembly twins the model falls back to sync/atomic. The
// simulation is just as correct, but the race detector then sees the model's handoffs as
// synchronisation and misses races between handlers and thread code.
const invisible = false

// getg returns the calling goroutine's id, parsed from its stack header: slow, but the
// only portable identity a goroutine has.
func getg() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	var id uint64
	for _, b := range buf[len("goroutine "):n] {
		if b < '0' || b > '9' {
			break
		}
		id = id*10 + uint64(b-'0')
	}
	return id
}

func load32(p *uint32) uint32               { return atomic.LoadUint32(p) }
func store32(p *uint32, v uint32)           { atomic.StoreUint32(p, v) }
func cas32(p *uint32, old, new uint32) bool { return atomic.CompareAndSwapUint32(p, old, new) }
func load64(p *uint64) uint64               { return atomic.LoadUint64(p) }
func store64(p *uint64, v uint64)           { atomic.StoreUint64(p, v) }
func add64(p *uint64, d uint64) uint64      { return atomic.AddUint64(p, d) }
func cas64(p *uint64, old, new uint64) bool { return atomic.CompareAndSwapUint64(p, old, new) }
