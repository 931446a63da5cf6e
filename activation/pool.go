package activation

// pool keeps variable-length lists (a profile's journey records, an
// identifier's facts) as runs of fixed-size structs in pages of one
// pointer-free slab. A run never spans pages, so it holds at most
// maxRun items; freed runs are reused by size class.
type pool[T any] struct {
	pages [][]T
	used  int32     // items handed out of the last page
	free  [][]int32 // by class: offsets of free runs
	held  int       // items in runs handed out (capacity)
}

// run is one list: off = page<<pageBits | index; n items of cap.
type run struct{ off, n, cap int32 }

const (
	pageBits = 12
	maxRun   = 1 << pageBits
	pageMask = maxRun - 1
)

// classCaps are the capacities of runs: 1 to 4 exact, then 2 apart up to
// 16 (a list growing one item at a time moves every other item, not every
// item, and small lists waste at most one slot), then 50% apart (a growing
// list moves less often).
var classCaps = func() []int32 {
	cs := []int32{1, 2, 3, 4}
	for c := int32(6); c <= 16; c += 2 {
		cs = append(cs, c)
	}
	for c := int32(16); c < maxRun; {
		c = min((c+c/2+3)&^3, maxRun)
		cs = append(cs, c)
	}
	return cs
}()

// smallClass is classOf for n <= 16.
var smallClass = func() (t [17]uint8) {
	c := 0
	for n := 1; n <= 16; n++ {
		for classCaps[c] < int32(n) {
			c++
		}
		t[n] = uint8(c)
	}
	return t
}()

// classOf returns the smallest class that holds n (n <= maxRun).
func classOf(n int32) int {
	if n <= 16 {
		return int(smallClass[max(n, 1)])
	}
	lo, hi := 0, len(classCaps)-1
	for lo < hi {
		m := (lo + hi) / 2
		if classCaps[m] >= n {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// items returns the run's items (len n, cap cap).
func (p *pool[T]) items(r run) []T {
	if r.cap == 0 {
		return nil
	}
	pg, i := r.off>>pageBits, r.off&pageMask
	return p.pages[pg][i : i+r.n : i+r.cap]
}

func (p *pool[T]) alloc(class int) int32 {
	c := classCaps[class]
	p.held += int(c)
	if l := p.free[class]; len(l) > 0 {
		off := l[len(l)-1]
		p.free[class] = l[:len(l)-1]
		return off
	}
	if len(p.pages) == 0 || p.used+c > maxRun {
		p.pages = append(p.pages, make([]T, maxRun))
		p.used = 0
	}
	off := int32(len(p.pages)-1)<<pageBits | p.used
	p.used += c
	return off
}

// release gives the run's space back.
func (p *pool[T]) release(r *run) {
	if r.cap == 0 {
		return
	}
	c := classOf(r.cap) // the items stay: runs are read only up to n
	p.free[c] = append(p.free[c], r.off)
	p.held -= int(r.cap)
	*r = run{}
}

// reserve makes room for n items in r (n <= maxRun), moving it if needed;
// false if n is over maxRun.
func (p *pool[T]) reserve(r *run, n int32) bool {
	if n <= r.cap {
		return true
	}
	if n > maxRun {
		return false
	}
	if p.free == nil {
		p.free = make([][]int32, len(classCaps))
	}
	class := classOf(n)
	off := p.alloc(class)
	nr := run{off: off, n: r.n, cap: classCaps[class]}
	copy(p.items(nr), p.items(*r))
	p.release(r)
	*r = nr
	return true
}

// insert puts x at position i of r.
func (p *pool[T]) insert(r *run, i int, x T) bool {
	if !p.reserve(r, r.n+1) {
		return false
	}
	r.n++
	s := p.items(*r)
	copy(s[i+1:], s[i:])
	s[i] = x
	return true
}

// remove deletes items [i, j) of r.
func (p *pool[T]) remove(r *run, i, j int) {
	s := p.items(*r)
	copy(s[i:], s[j:])
	clear(s[len(s)-(j-i):])
	r.n -= int32(j - i)
	if r.n == 0 {
		p.release(r)
	}
}
