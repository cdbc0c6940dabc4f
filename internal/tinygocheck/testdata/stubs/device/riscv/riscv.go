// Package riscv declares the part of TinyGo's device/riscv that gohal uses, with TinyGo's
// signatures, for type-checking gohal's tinygo-tagged files without TinyGo.
package riscv

// CSR names a control and status register; its methods are compiler intrinsics that need a
// constant receiver.
type CSR int16

func (csr CSR) Get() uintptr
func (csr CSR) Set(uintptr)
func (csr CSR) SetBits(uintptr) uintptr
func (csr CSR) ClearBits(uintptr) uintptr

const (
	MSTATUS CSR = 0x300
	MIE     CSR = 0x304
	MTVEC   CSR = 0x305
	MEPC    CSR = 0x341
	MCAUSE  CSR = 0x342
	MIP     CSR = 0x344
	MHARTID CSR = 0xF14
)

const MSTATUS_MIE = 1 << 3

func Asm(asm string)
func AsmFull(asm string, regs map[string]interface{}) uintptr
func DisableInterrupts() uintptr
func EnableInterrupts(mask uintptr)
