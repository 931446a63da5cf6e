//go:build amd64 && !purego

package jsonscan

// indexBlocks runs the first stage over blocks 64-byte blocks at p,
// appending the offsets (st.base onwards) of their structural bytes to
// out, and returns how many it wrote (at most 64 per block). It keeps its
// state across calls in st.
//
//go:noescape
func indexBlocks(p *byte, blocks int, out *uint32, st *stage1) int

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
