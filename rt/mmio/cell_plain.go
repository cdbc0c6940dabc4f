//go:build !tinygo && mmio_plain

package mmio

import "unsafe"

// This file exists for one purpose: the zero-cost check builds generated code against these
// cells with -gcflags=-S and counts loads and stores. The cells are bare fields, so any extra
// instruction in the listing belongs to the generated layer, not to the bus.

// U8 is an 8-bit register cell.
type U8 struct{ v uint8 }

// U16 is a 16-bit register cell.
type U16 struct{ v uint16 }

// U32 is a 32-bit register cell.
type U32 struct{ v uint32 }

// U64 is a 64-bit register cell.
type U64 struct{ v uint64 }

// Load reads the register.
func (c *U8) Load() uint8 { return c.v }

// Store writes the register.
func (c *U8) Store(v uint8) { c.v = v }

// Load reads the register.
func (c *U16) Load() uint16 { return c.v }

// Store writes the register.
func (c *U16) Store(v uint16) { c.v = v }

// Load reads the register.
func (c *U32) Load() uint32 { return c.v }

// Store writes the register.
func (c *U32) Store(v uint32) { c.v = v }

// Load reads the register.
func (c *U64) Load() uint64 { return c.v }

// Store writes the register.
func (c *U64) Store(v uint64) { c.v = v }

// At returns the register block of type T at physical address addr. In plain mode nothing
// may dereference it; the assembly check only compiles code.
func At[T any](addr uintptr) *T {
	return *(**T)(unsafe.Pointer(&addr))
}

// InitReset is a no-op in plain mode.
func InitReset(base uintptr, table []Reset) {}
