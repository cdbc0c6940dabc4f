//go:build !tinygo

#include "textflag.h"

// func getg() uint64
TEXT ·getg(SB),NOSPLIT,$0-8
	MOVD g, R0
	MOVD R0, ret+0(FP)
	RET

// func load32(p *uint32) uint32
TEXT ·load32(SB),NOSPLIT,$0-12
	MOVD p+0(FP), R0
	LDARW (R0), R1
	MOVW R1, ret+8(FP)
	RET

// func store32(p *uint32, v uint32)
TEXT ·store32(SB),NOSPLIT,$0-12
	MOVD p+0(FP), R0
	MOVW v+8(FP), R1
	STLRW R1, (R0)
	RET

// func cas32(p *uint32, old, new uint32) bool
TEXT ·cas32(SB),NOSPLIT,$0-17
	MOVD p+0(FP), R0
	MOVW old+8(FP), R1
	MOVW new+12(FP), R2
again:
	LDAXRW (R0), R3
	CMPW R1, R3
	BNE fail
	STLXRW R2, (R0), R4
	CBNZ R4, again
	MOVD $1, R5
	MOVB R5, ret+16(FP)
	RET
fail:
	CLREX
	MOVB ZR, ret+16(FP)
	RET

// func load64(p *uint64) uint64
TEXT ·load64(SB),NOSPLIT,$0-16
	MOVD p+0(FP), R0
	LDAR (R0), R1
	MOVD R1, ret+8(FP)
	RET

// func store64(p *uint64, v uint64)
TEXT ·store64(SB),NOSPLIT,$0-16
	MOVD p+0(FP), R0
	MOVD v+8(FP), R1
	STLR R1, (R0)
	RET

// func add64(p *uint64, d uint64) uint64
TEXT ·add64(SB),NOSPLIT,$0-24
	MOVD p+0(FP), R0
	MOVD d+8(FP), R1
again:
	LDAXR (R0), R2
	ADD R1, R2, R2
	STLXR R2, (R0), R3
	CBNZ R3, again
	MOVD R2, ret+16(FP)
	RET

// func cas64(p *uint64, old, new uint64) bool
TEXT ·cas64(SB),NOSPLIT,$0-25
	MOVD p+0(FP), R0
	MOVD old+8(FP), R1
	MOVD new+16(FP), R2
again:
	LDAXR (R0), R3
	CMP R1, R3
	BNE fail
	STLXR R2, (R0), R4
	CBNZ R4, again
	MOVD $1, R5
	MOVB R5, ret+24(FP)
	RET
fail:
	CLREX
	MOVB ZR, ret+24(FP)
	RET
