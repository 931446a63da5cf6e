//go:build amd64 && !purego

package jsonscan

// firstStages names the first stages this CPU runs, for the tests.
func firstStages() []string {
	if have512 {
		return []string{"avx2", "avx512"}
	}
	return []string{"avx2"}
}

// useFirstStage selects the named first stage and returns the function
// that restores the default.
func useFirstStage(name string) func() {
	use512 = name == "avx512"
	return func() { use512 = have512 }
}
