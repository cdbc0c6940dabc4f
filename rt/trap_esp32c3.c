//go:build tinygo && esp32c3

// gohal's trap vector for the ESP32-C3 (see rt_esp32c3.go for why rt owns it). The ESP32-C3
// supports only vectored mode (mtvec.MODE = 1): the table is 32 four-byte jumps at a 256-byte
// aligned base, entry 0 for exceptions and entry n for CPU interrupt line n. Every entry jumps
// to gohal_trap_entry, which sorts the traps by mcause:
//
//   - rt's lines 17..31 (priority p on line 16+p) go to gohalTrap (Go);
//   - exceptions and lines 1..16 go to TinyGo's own handleInterrupt, so TinyGo's exception
//     report and the machine package's interrupts (lines 6 and 7) behave as before.
//
// Alignment. The table must start on a 256-byte boundary, but the section holding it must
// not ask for that alignment: TinyGo's linker script (targets/esp32c3.ld) makes the IROM
// segment's addresses match their flash offsets modulo 64 KiB by starting .text exactly
// where a dummy section ends, and an input section aligned to 256 moves .text and breaks the
// image (the ROM reports a SHA-256 mismatch and the code runs from the wrong flash page).
// The script places every ".text.exception_vectors" input section right after an
// ALIGN(256). TinyGo's own table there is 128 bytes, so this section, 4-byte aligned, starts
// at that boundary or 128 bytes after it, depending on link order. It holds the table twice
// (256 bytes), and rt rounds its address up to 256: that lands on the first copy in one case
// and on the second in the other. rt.Start checks the result and panics if a future linker
// script breaks the assumption.
//
// gohal_trap_entry saves the registers the RISC-V calling convention lets a call clobber,
// plus mepc and mstatus (a nested trap overwrites both), calls the handler with mcause, then
// restores everything and returns with mret, which re-enables interrupts from MPIE.
__asm__(
	".section .text.exception_vectors,\"ax\",@progbits\n"
	".balign 4\n"
	".global gohal_trap_vectors\n"
	"gohal_trap_vectors:\n"
	".option push\n"
	".option norvc\n"
	".rept 64\n"
	"	j gohal_trap_entry\n"
	".endr\n"
	".option pop\n"
	"\n"
	".section .text.gohal_trap_entry,\"ax\",@progbits\n"
	".balign 4\n"
	".global gohal_trap_entry\n"
	".type gohal_trap_entry,@function\n"
	"gohal_trap_entry:\n"
	"	addi sp, sp, -80\n"
	"	sw ra,  0(sp)\n"
	"	sw t0,  4(sp)\n"
	"	sw t1,  8(sp)\n"
	"	sw t2, 12(sp)\n"
	"	sw a0, 16(sp)\n"
	"	sw a1, 20(sp)\n"
	"	sw a2, 24(sp)\n"
	"	sw a3, 28(sp)\n"
	"	sw a4, 32(sp)\n"
	"	sw a5, 36(sp)\n"
	"	sw a6, 40(sp)\n"
	"	sw a7, 44(sp)\n"
	"	sw t3, 48(sp)\n"
	"	sw t4, 52(sp)\n"
	"	sw t5, 56(sp)\n"
	"	sw t6, 60(sp)\n"
	"	csrr t0, mepc\n"
	"	sw t0, 64(sp)\n"
	"	csrr t0, mstatus\n"
	"	sw t0, 68(sp)\n"
	"	csrr a0, mcause\n"
	"	bgez a0, 1f\n"             /* bit 31 clear: an exception */
	"	andi t0, a0, 31\n"
	"	li t1, 17\n"
	"	bltu t0, t1, 1f\n"         /* lines 1..16: TinyGo's */
	"	call gohalTrap\n"
	"	j 2f\n"
	"1:	call handleInterrupt\n"
	"2:\n"
	"	lw t0, 68(sp)\n"
	"	csrw mstatus, t0\n"
	"	lw t0, 64(sp)\n"
	"	csrw mepc, t0\n"
	"	lw ra,  0(sp)\n"
	"	lw t0,  4(sp)\n"
	"	lw t1,  8(sp)\n"
	"	lw t2, 12(sp)\n"
	"	lw a0, 16(sp)\n"
	"	lw a1, 20(sp)\n"
	"	lw a2, 24(sp)\n"
	"	lw a3, 28(sp)\n"
	"	lw a4, 32(sp)\n"
	"	lw a5, 36(sp)\n"
	"	lw a6, 40(sp)\n"
	"	lw a7, 44(sp)\n"
	"	lw t3, 48(sp)\n"
	"	lw t4, 52(sp)\n"
	"	lw t5, 56(sp)\n"
	"	lw t6, 60(sp)\n"
	"	addi sp, sp, 80\n"
	"	mret\n"
	".size gohal_trap_entry, .-gohal_trap_entry\n"
);
