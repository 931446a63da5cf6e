package transport

import (
	"bytes"
	"compress/gzip"
	"sync"
)

// slicePool recycles encoded request bodies.
type slicePool struct{ p sync.Pool }

func (sp *slicePool) get() *[]byte {
	if b, ok := sp.p.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

func (sp *slicePool) put(b *[]byte) {
	if cap(*b) <= maxPooledBuf {
		sp.p.Put(b)
	}
}

// bufPool recycles compressed request body buffers. Buffers larger than maxPooledBuf are
// left to the garbage collector so that one huge batch does not pin memory.
type bufPool struct{ p sync.Pool }

const maxPooledBuf = 4 << 20

func (bp *bufPool) get() *bytes.Buffer {
	if b, ok := bp.p.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (bp *bufPool) put(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		bp.p.Put(b)
	}
}

// gzipPool recycles gzip writers at the fastest compression level: a new
// writer costs hundreds of kilobytes of allocations, which is what makes
// per-request writers (RudderStack's SDK) slow.
type gzipPool struct{ p sync.Pool }

func (gp *gzipPool) compress(dst *bytes.Buffer, src []byte) error {
	zw, ok := gp.p.Get().(*gzip.Writer)
	if ok {
		zw.Reset(dst)
	} else {
		var err error
		if zw, err = gzip.NewWriterLevel(dst, gzip.BestSpeed); err != nil {
			return err
		}
	}
	if _, err := zw.Write(src); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	zw.Reset(nil)
	gp.p.Put(zw)
	return nil
}
