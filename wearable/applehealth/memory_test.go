//go:build !race

package applehealth_test

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestImportMemoryIsConstant imports a generated export much larger than
// the heap bound and checks that the heap never approaches the file size.
// (Skipped under -race by build tag: the race runtime's shadow memory makes
// heap figures meaningless.)
func TestImportMemoryIsConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 64 MB export; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "export.xml")
	gen := writeExport(t, path, 64<<20)
	runtime.GC()
	n, peak := importFile(t, path)
	if n != gen.measurements {
		t.Fatalf("%d measurements, generated %d", n, gen.measurements)
	}
	const bound = 16 << 20
	if peak > bound {
		t.Fatalf("peak heap %d MB importing a %d MB export; want < %d MB", peak>>20, gen.bytes>>20, bound>>20)
	}
	t.Logf("%d MB export, %d measurements, peak heap %.1f MB", gen.bytes>>20, n, float64(peak)/(1<<20))
}
