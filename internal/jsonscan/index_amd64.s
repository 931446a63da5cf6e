//go:build amd64 && !purego

#include "textflag.h"

// The structural index's first stage (see index.go), with AVX2: 64 bytes
// per iteration, classified with byte compares and two 16-entry lookups
// (the technique of simdjson, Langdale and Lemire, "Parsing Gigabytes of
// JSON per Second", 2019), then the positions of the structural bytes
// written out one by one.

// White space: table[c&15] == c only for ' ', '\t', '\n', '\r' (the other
// entries cannot equal a byte with their index as low nibble).
DATA wsTable<>+0(SB)/8, $0x0271641164646420
DATA wsTable<>+8(SB)/8, $0x64640D64700A0964
DATA wsTable<>+16(SB)/8, $0x0271641164646420
DATA wsTable<>+24(SB)/8, $0x64640D64700A0964
GLOBL wsTable<>(SB), RODATA|NOPTR, $32

// Operators: table[c&15] == c|0x20 for ':' '{' '[' ',' '}' ']' (and for
// the control bytes 0x0C and 0x1A, which no valid document has outside a
// string: the second stage reads the byte itself and refuses them).
DATA opTable<>+0(SB)/8, $0
DATA opTable<>+8(SB)/8, $0x00007D2C7B3A0000
DATA opTable<>+16(SB)/8, $0
DATA opTable<>+24(SB)/8, $0x00007D2C7B3A0000
GLOBL opTable<>(SB), RODATA|NOPTR, $32

// STRUCTURALS turns a block's masks (AX quotes, CX control bytes, R10
// white space, R11 operators) into its structural bytes (R13), carrying
// state to the next block: in a string (R14, all ones or zero), in a
// scalar (st.scalar); a control byte inside a string is noted in st.ctrl.
// It uses R12, BX and X6 (X7 all ones).
//
// Inside strings (an opening quote and what follows it, up to its closing
// quote): the prefix XOR of the quotes, a carry-less multiply by all ones,
// flipped when the previous block ended inside a string (R12). Scalar
// bytes: outside strings, not an operator, white space or a quote; the
// first byte of each run of them (BX) is structural. Structural bytes:
// operators outside strings, quotes, scalar starts.
#define STRUCTURALS \
	VMOVQ AX, X6; \
	VPCLMULQDQ $0, X7, X6, X6; \
	VMOVQ X6, R12; \
	XORQ R14, R12; \
	MOVQ R12, R14; \
	SARQ $63, R14; \
	ANDQ R12, CX; \
	ORQ CX, 24(R9); \
	MOVQ R11, R13; \
	ORQ R10, R13; \
	ORQ AX, R13; \
	ORQ R12, R13; \
	NOTQ R13; \
	MOVQ R13, BX; \
	SHLQ $1, BX; \
	ORQ 8(R9), BX; \
	NOTQ BX; \
	ANDQ R13, BX; \
	SHRQ $63, R13; \
	MOVQ R13, 8(R9); \
	MOVQ R12, R13; \
	NOTQ R13; \
	ANDQ R11, R13; \
	ORQ AX, R13; \
	ORQ BX, R13

// func indexBlocks(p *byte, blocks int, out *uint32, st *stage1) int
TEXT ·indexBlocks(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ st+24(FP), R9
	MOVQ DI, ret+32(FP) // start, for the count
	MOVQ 32(R9), R8     // base offset of the first block
	MOVQ 0(R9), R14     // st.inStr, kept in a register across blocks (R14 is free in ABI0 code)

	MOVQ $0x22, AX
	VMOVQ AX, X15
	VPBROADCASTB X15, Y15 // '"'
	MOVQ $0x5C, AX
	VMOVQ AX, X14
	VPBROADCASTB X14, Y14 // '\\'
	MOVQ $0x20, AX
	VMOVQ AX, X13
	VPBROADCASTB X13, Y13 // 0x20
	MOVQ $0x1F, AX
	VMOVQ AX, X12
	VPBROADCASTB X12, Y12 // 0x1F
	MOVQ $-1, AX
	VMOVQ AX, X7 // all ones, for the prefix XOR (VPCLMULQDQ leaves X7 as is; VEX forms only: a legacy SSE instruction among AVX ones costs a state transition)
	VMOVDQU wsTable<>(SB), Y11
	VMOVDQU opTable<>(SB), Y10

	TESTQ DX, DX
	JZ done

loop:
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1

	// quotes: AX
	VPCMPEQB Y0, Y15, Y2
	VPCMPEQB Y1, Y15, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, AX

	// any backslash: st.bs
	VPCMPEQB Y0, Y14, Y2
	VPCMPEQB Y1, Y14, Y3
	VPOR Y2, Y3, Y2
	VPMOVMSKB Y2, BX
	ORQ BX, 16(R9)

	// control bytes (c <= 0x1F): CX
	VPMINUB Y0, Y12, Y2
	VPCMPEQB Y0, Y2, Y2
	VPMINUB Y1, Y12, Y3
	VPCMPEQB Y1, Y3, Y3
	VPMOVMSKB Y2, CX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, CX

	// white space: R10
	VPSHUFB Y0, Y11, Y2
	VPCMPEQB Y0, Y2, Y2
	VPSHUFB Y1, Y11, Y3
	VPCMPEQB Y1, Y3, Y3
	VPMOVMSKB Y2, R10
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, R10

	// operators: R11
	VPSHUFB Y0, Y10, Y2
	VPOR Y0, Y13, Y4
	VPCMPEQB Y4, Y2, Y2
	VPSHUFB Y1, Y10, Y3
	VPOR Y1, Y13, Y5
	VPCMPEQB Y5, Y3, Y3
	VPMOVMSKB Y2, R11
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, R11

	STRUCTURALS

	// flatten: eight offsets written whatever the count (those past it
	// are overwritten by the next block's, or lie past the end the count
	// says), eight more when the block has more, then one at a time
	POPCNTQ R13, CX
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 0(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 4(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 8(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 12(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 16(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 20(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 24(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 28(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	CMPQ CX, $8
	JBE advance
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 32(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 36(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 40(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 44(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 48(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 52(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 56(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, 60(DI)
	LEAQ -1(R13), AX
	ANDQ AX, R13
	CMPQ CX, $16
	JBE advance
	LEAQ 64(DI), R10

rest:
	TESTQ R13, R13
	JZ advance
	BSFQ R13, BX
	ADDQ R8, BX
	MOVL BX, (R10)
	ADDQ $4, R10
	LEAQ -1(R13), AX
	ANDQ AX, R13
	JMP rest

advance:
	LEAQ (DI)(CX*4), DI

next:
	ADDQ $64, SI
	ADDQ $64, R8
	DECQ DX
	JNZ loop

done:
	VZEROUPPER
	MOVQ R14, 0(R9)
	MOVQ R8, 32(R9)
	MOVQ ret+32(FP), AX
	SUBQ AX, DI
	SHRQ $2, DI
	MOVQ DI, ret+32(FP)
	RET

// Byte offsets 0 to 63, compressed by a block's structural mask into the
// offsets of its structural bytes (VPCOMPRESSB).
DATA byteIdx<>+0(SB)/8, $0x0706050403020100
DATA byteIdx<>+8(SB)/8, $0x0f0e0d0c0b0a0908
DATA byteIdx<>+16(SB)/8, $0x1716151413121110
DATA byteIdx<>+24(SB)/8, $0x1f1e1d1c1b1a1918
DATA byteIdx<>+32(SB)/8, $0x2726252423222120
DATA byteIdx<>+40(SB)/8, $0x2f2e2d2c2b2a2928
DATA byteIdx<>+48(SB)/8, $0x3736353433323130
DATA byteIdx<>+56(SB)/8, $0x3f3e3d3c3b3a3938
GLOBL byteIdx<>(SB), RODATA|NOPTR, $64

// func indexBlocks512(p *byte, blocks int, out *uint32, st *stage1) int
//
// indexBlocks with AVX-512 (BW, VBMI2): a block in one register, its masks
// straight from compares, its offsets written 16 at a time by compressing
// the byte offsets 0-63 with the structural mask (at most 15 written past
// the count, as indexBlocks's eight).
TEXT ·indexBlocks512(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ st+24(FP), R9
	MOVQ DI, ret+32(FP)
	MOVQ 32(R9), R8
	MOVQ 0(R9), R14 // st.inStr, kept in a register across blocks (R14 is free in ABI0 code)

	MOVQ $0x22, AX
	VPBROADCASTB AX, Z15
	MOVQ $0x5C, AX
	VPBROADCASTB AX, Z14
	MOVQ $0x20, AX
	VPBROADCASTB AX, Z13
	MOVQ $0x1F, AX
	VPBROADCASTB AX, Z12
	MOVQ $-1, AX
	VMOVQ AX, X7
	VBROADCASTI32X4 wsTable<>(SB), Z11
	VBROADCASTI32X4 opTable<>(SB), Z10
	VMOVDQU8 byteIdx<>(SB), Z20

	TESTQ DX, DX
	JZ done512

loop512:
	VMOVDQU8 (SI), Z0
	VPCMPEQB Z0, Z15, K1
	KMOVQ K1, AX // quotes
	VPCMPEQB Z0, Z14, K2
	KMOVQ K2, BX
	ORQ BX, 16(R9) // any backslash
	VPMINUB Z0, Z12, Z2
	VPCMPEQB Z0, Z2, K3
	KMOVQ K3, CX // control bytes
	VPSHUFB Z0, Z11, Z2
	VPCMPEQB Z0, Z2, K4
	KMOVQ K4, R10 // white space
	VPSHUFB Z0, Z10, Z3
	VPORQ Z0, Z13, Z4
	VPCMPEQB Z4, Z3, K5
	KMOVQ K5, R11 // operators

	STRUCTURALS

	KMOVQ R13, K1
	VPCOMPRESSB.Z Z20, K1, Z21
	VPBROADCASTD R8, Z22
	POPCNTQ R13, CX
	VPMOVZXBD X21, Z23
	VPADDD Z22, Z23, Z23
	VMOVDQU32 Z23, (DI)
	CMPQ CX, $16
	JBE adv512
	VEXTRACTI32X4 $1, Z21, X24
	VPMOVZXBD X24, Z23
	VPADDD Z22, Z23, Z23
	VMOVDQU32 Z23, 64(DI)
	CMPQ CX, $32
	JBE adv512
	VEXTRACTI32X4 $2, Z21, X24
	VPMOVZXBD X24, Z23
	VPADDD Z22, Z23, Z23
	VMOVDQU32 Z23, 128(DI)
	CMPQ CX, $48
	JBE adv512
	VEXTRACTI32X4 $3, Z21, X24
	VPMOVZXBD X24, Z23
	VPADDD Z22, Z23, Z23
	VMOVDQU32 Z23, 192(DI)

adv512:
	LEAQ (DI)(CX*4), DI
	ADDQ $64, SI
	ADDQ $64, R8
	DECQ DX
	JNZ loop512

done512:
	VZEROUPPER
	MOVQ R14, 0(R9)
	MOVQ R8, 32(R9)
	MOVQ ret+32(FP), AX
	SUBQ AX, DI
	SHRQ $2, DI
	MOVQ DI, ret+32(FP)
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	RET
