//go:build !tinygo && !mmio_plain

package mmio

import "unsafe"

// On the host every cell lives inside the bus's memory reservation; its host address minus
// the reservation base is its physical address. Each access goes through the bus, which hands
// it to a hooked device model or to plain memory.

// U8 is an 8-bit register cell.
type U8 struct{ v uint8 }

// U16 is a 16-bit register cell.
type U16 struct{ v uint16 }

// U32 is a 32-bit register cell.
type U32 struct{ v uint32 }

// U64 is a 64-bit register cell.
type U64 struct{ v uint64 }

// Load reads the register.
func (c *U8) Load() uint8 { return uint8(bus.read(unsafe.Pointer(c), 1)) }

// Store writes the register.
func (c *U8) Store(v uint8) { bus.write(unsafe.Pointer(c), 1, uint64(v)) }

// Load reads the register.
func (c *U16) Load() uint16 { return uint16(bus.read(unsafe.Pointer(c), 2)) }

// Store writes the register.
func (c *U16) Store(v uint16) { bus.write(unsafe.Pointer(c), 2, uint64(v)) }

// Load reads the register.
func (c *U32) Load() uint32 { return uint32(bus.read(unsafe.Pointer(c), 4)) }

// Store writes the register.
func (c *U32) Store(v uint32) { bus.write(unsafe.Pointer(c), 4, uint64(v)) }

// Load reads the register.
func (c *U64) Load() uint64 { return bus.read(unsafe.Pointer(c), 8) }

// Store writes the register.
func (c *U64) Store(v uint64) { bus.write(unsafe.Pointer(c), 8, v) }

// At returns the register block of type T at physical address addr, inside the host bus's
// memory. It panics if [addr, addr+sizeof(T)) is outside the simulated 4 GiB address space.
func At[T any](addr uintptr) *T {
	// Sizeof of *p, never of a variable of type T: T may be a memory window of many MiB,
	// which a variable would allocate.
	var p *T
	return (*T)(bus.hostAddr(addr, unsafe.Sizeof(*p)))
}
