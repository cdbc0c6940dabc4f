//go:build !tinygo && !mmio_plain && linux

package mmio

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE
