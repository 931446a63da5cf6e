//go:build !amd64 || purego

package jsonscan

// haveIndex is false: without the assembly first stage, the scalar loops
// read every document.
const haveIndex = false

func indexBlocks(p *byte, blocks int, out *uint32, st *stage1) int {
	panic("jsonscan: no index on this platform")
}

func firstStage(p *byte, blocks int, out *uint32, st *stage1) int {
	return indexBlocks(p, blocks, out, st)
}
