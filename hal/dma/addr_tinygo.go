//go:build tinygo

package dma

import "unsafe"

// busAddr is the address the GDMA uses for [p, p+n): on the chip, the address itself.
func busAddr(p unsafe.Pointer, n uintptr) uint32 { return uint32(uintptr(p)) }
