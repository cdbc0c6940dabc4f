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

// U64 is a 64-bit register cell, accessed as one 64-bit volatile operation.
type U64 struct{ r uint64 }

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

// Load reads the register.
func (c *U64) Load() uint64 { return volatile.LoadUint64(&c.r) }

// Store writes the register.
func (c *U64) Store(v uint64) { volatile.StoreUint64(&c.r, v) }

// At returns the register block of type T at physical address addr.
func At[T any](addr uintptr) *T {
	// The one audited integer-to-pointer conversion: addr is a fixed device address that the
	// Go heap never owns, so the garbage collector has nothing to track.
	return (*T)(unsafe.Pointer(addr))
}

// InitReset is a no-op on the chip: hardware starts at its reset values by itself.
func InitReset(base uintptr, table []Reset) {}
