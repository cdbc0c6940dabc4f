//go:build !tinygo

package dma

import (
	"unsafe"

	"github.com/gohal/gohal/rt/mmio"
)

// busAddr is the address the GDMA uses for [p, p+n): on the host, the address the
// simulator's DMA window gives the Go memory (rt/mmio BusAddr), which the simulator's GDMA
// model turns back into the memory. The mapping holds p, so a buffer passed here escapes to
// the heap under the gc compiler (keep DMA buffers in variables that outlive the transfer,
// as on the chip).
func busAddr(p unsafe.Pointer, n uintptr) uint32 { return mmio.BusAddr(p, n) }
