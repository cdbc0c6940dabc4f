//go:build tinygo

package mmio

import (
	"runtime/volatile"
	"unsafe"
)

// U8 is an 8-bit register cell.
type U8 struct{ r volatile.Register8 }

// U16 is a 16-bit register cell.
type U16 struct{ r volatile.Register16 }

// U32 is a 32-bit register cell.
type U32 struct{ r volatile.Register32 }

// U64 is a 64-bit register cell. TinyGo's runtime/volatile has no 64-bit operations and the
// 32-bit buses of the chips gohal targets split such an access anyway, so it is two 32-bit
// volatile accesses, low word first (little-endian).
type U64 struct{ lo, hi volatile.Register32 }

// Load reads the register.
func (c *U8) Load() uint8 { return c.r.Get() }

// Store writes the register.
func (c *U8) Store(v uint8) { c.r.Set(v) }

// Load reads the register.
func (c *U16) Load() uint16 { return c.r.Get() }

// Store writes the register.
func (c *U16) Store(v uint16) { c.r.Set(v) }

// Load reads the register.
func (c *U32) Load() uint32 { return c.r.Get() }

// Store writes the register.
func (c *U32) Store(v uint32) { c.r.Set(v) }

// Load reads the register: the low word, then the high word.
func (c *U64) Load() uint64 {
	lo := c.lo.Get()
	return uint64(c.hi.Get())<<32 | uint64(lo)
}

// Store writes the register: the low word, then the high word.
func (c *U64) Store(v uint64) {
	c.lo.Set(uint32(v))
	c.hi.Set(uint32(v >> 32))
}

// At returns the register block of type T at physical address addr.
func At[T any](addr uintptr) *T {
	// The one audited integer-to-pointer conversion: addr is a fixed device address that the
	// Go heap never owns, so the garbage collector has nothing to track.
	return (*T)(unsafe.Pointer(addr))
}

// InitReset is a no-op on the chip: hardware starts at its reset values by itself.
func InitReset(base uintptr, table []Reset) {}
