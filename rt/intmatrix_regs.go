package rt

import "github.com/gohal/gohal/rt/mmio"

// intMatrix is the ESP32-C3 INTERRUPT_CORE0 block (base 0x600C2000, esp32c3-facts.md §1),
// written by hand so rt does not depend on the generated pac. The TinyGo implementation
// drives it; the host build only checks its layout in a test.
type intMatrix struct {
	Map       [62]mmio.U32 // 0x000: CPU interrupt of source s (5 bits, 0 = none)
	Status    [2]mmio.U32  // 0x0F8: INTR_STATUS_REG_0/1, raw source levels
	ClockGate mmio.U32     // 0x100
	Enable    mmio.U32     // 0x104: CPU_INT_ENABLE
	Type      mmio.U32     // 0x108: CPU_INT_TYPE, 1 = edge
	Clear     mmio.U32     // 0x10C: CPU_INT_CLEAR
	EIP       mmio.U32     // 0x110: CPU_INT_EIP_STATUS
	Pri       [32]mmio.U32 // 0x114: CPU_INT_PRI_n, 4 bits
	Thresh    mmio.U32     // 0x194: CPU_INT_THRESH
}

const intMatrixBase = 0x600C_2000
