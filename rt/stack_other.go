//go:build !(tinygo && esp32c3)

package rt

// StackPointer returns 0: only the chip build (tinygo, esp32c3) measures stacks.
func StackPointer() uintptr { return 0 }

// StackLowWater reports ok = false: only the chip build (tinygo, esp32c3) measures stacks;
// the host runs firmware on Go's growable goroutine stacks.
func StackLowWater() (low, bottom uintptr, ok bool) { return 0, 0, false }
