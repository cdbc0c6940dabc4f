//go:build !tinygo && !mmio_plain && unix && !linux

package mmio

const mapNoReserve = 0
