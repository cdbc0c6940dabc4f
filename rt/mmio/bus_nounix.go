//go:build !tinygo && !mmio_plain && !unix

package mmio

import "unsafe"

func reserve(size int) unsafe.Pointer {
	panic("mmio: the host bus needs a unix host (Linux or macOS) to reserve its address space")
}
