//go:build !tinygo

package rt

import (
	"testing"
	"unsafe"
)

// The TinyGo implementation drives INTERRUPT_CORE0 through this hand-written layout; check
// it against the offsets of esp32c3-facts.md §1 (which come from the SVD).
func TestIntMatrixLayout(t *testing.T) {
	var im intMatrix
	for _, c := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"Map[0]", unsafe.Offsetof(im.Map), 0x000},
		{"Map[37] (SYSTIMER_TARGET0)", unsafe.Offsetof(im.Map) + 37*4, 0x094},
		{"Map[50] (FROM_CPU_INTR0)", unsafe.Offsetof(im.Map) + 50*4, 0x0C8},
		{"Status", unsafe.Offsetof(im.Status), 0x0F8},
		{"Enable", unsafe.Offsetof(im.Enable), 0x104},
		{"Type", unsafe.Offsetof(im.Type), 0x108},
		{"Clear", unsafe.Offsetof(im.Clear), 0x10C},
		{"EIP", unsafe.Offsetof(im.EIP), 0x110},
		{"Pri[0]", unsafe.Offsetof(im.Pri), 0x114},
		{"Thresh", unsafe.Offsetof(im.Thresh), 0x194},
	} {
		if c.got != c.want {
			t.Errorf("%s at %#x, want %#x", c.name, c.got, c.want)
		}
	}
}
