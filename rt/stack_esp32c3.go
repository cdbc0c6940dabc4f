//go:build tinygo && esp32c3

package rt

import (
	"device/riscv"
	"unsafe"
)

// dramStart is the lowest data-bus address of the ESP32-C3's internal SRAM: a scan for the
// stack's bottom never reads below it.
const dramStart = 0x3FC8_0000

// stackCanary is the word TinyGo (internal/task) stores at the lowest address of every
// goroutine stack, on 32-bit targets.
const stackCanary = uintptr(uint64(0x670c1333b83bf575) & uint64(^uintptr(0)))

// StackPointer returns the caller's stack pointer.
func StackPointer() uintptr {
	return uintptr(riscv.AsmFull("mv {}, sp", nil))
}

// StackLowWater returns the lowest address of the running goroutine's stack that was ever
// written, found by scanning down from the stack pointer to TinyGo's stack canary and back
// up over the words still zero (TinyGo allocates goroutine stacks zeroed; main runs on one,
// and interrupt handlers run on the stack they interrupt, so their frames count too). A
// slot written with zero and never with anything else is counted as unused: the figure is
// a lower bound of the depth by at most such slots. bottom is the stack's lowest usable
// address (just above the canary), so low - bottom bytes were never used. ok is false if no
// canary was found.
func StackLowWater() (low, bottom uintptr, ok bool) {
	sp := StackPointer() &^ 3
	p := sp - 4
	for ; p >= dramStart && p > sp-64*1024; p -= 4 {
		if *(*uintptr)(unsafe.Pointer(p)) == stackCanary {
			break
		}
	}
	if p < dramStart || p <= sp-64*1024 {
		return 0, 0, false
	}
	q := p + 4
	for q < sp && *(*uintptr)(unsafe.Pointer(q)) == 0 {
		q += 4
	}
	return q, p + 4, true
}
