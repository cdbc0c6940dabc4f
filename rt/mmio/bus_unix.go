//go:build !tinygo && !mmio_plain && unix

package mmio

import (
	"fmt"
	"syscall"
	"unsafe"
)

// reserve maps size bytes of zeroed, lazily committed memory: only the pages a simulated
// chip touches ever become resident.
func reserve(size int) unsafe.Pointer {
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|mapNoReserve)
	if err != nil {
		panic(fmt.Sprintf("mmio: cannot reserve the simulated address space: %v", err))
	}
	return unsafe.Pointer(unsafe.SliceData(mem))
}
