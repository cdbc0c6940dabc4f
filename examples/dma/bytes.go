package main

import "unsafe"

// asBytes views words as bytes (little-endian, as the chip).
func asBytes(w []uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), 4*len(w))
}
