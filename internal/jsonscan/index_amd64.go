//go:build amd64 && !purego

package jsonscan

// indexBlocks runs the first stage over blocks 64-byte blocks at p,
// appending the offsets (st.base onwards) of their structural bytes to
// out, and returns how many it wrote (at most 64 per block). It keeps its
// state across calls in st.
//
//go:noescape
func indexBlocks(p *byte, blocks int, out *uint32, st *stage1) int

// indexBlocks512 is indexBlocks with AVX-512 (BW and VBMI2): about half
// the first stage's time where the CPU has them.
//
//go:noescape
func indexBlocks512(p *byte, blocks int, out *uint32, st *stage1) int

// use512 selects indexBlocks512 (the tests switch it to compare both).
var use512 = have512

// firstStage runs the first stage this CPU runs best. Direct calls, not a
// func value: through one, st and the tail block would escape.
func firstStage(p *byte, blocks int, out *uint32, st *stage1) int {
	if use512 {
		return indexBlocks512(p, blocks, out, st)
	}
	return indexBlocks(p, blocks, out, st)
}

// have512 reports AVX-512 F, BW and VBMI2 with the ZMM and mask state
// enabled, on top of what haveIndex asks.
var have512 = func() bool {
	if !haveIndex {
		return false
	}
	_, ebx7, ecx7, _ := cpuid(7, 0)
	const avx512f, avx512bw, vbmi2 = 1 << 16, 1 << 30, 1 << 6
	return ebx7&(avx512f|avx512bw) == avx512f|avx512bw && ecx7&vbmi2 != 0 && xgetbv()&0xE6 == 0xE6
}()

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax uint32)

// haveIndex reports whether this CPU (and its operating system) runs the
// first stage: AVX2 with the YMM state enabled, PCLMULQDQ and POPCNT.
var haveIndex = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const pclmulqdq, popcnt, osxsave, avx = 1 << 1, 1 << 23, 1 << 27, 1 << 28
	if ecx1&(pclmulqdq|popcnt|osxsave|avx) != pclmulqdq|popcnt|osxsave|avx || xgetbv()&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()
