package identity_test

import (
	"encoding/binary"
	"hash/crc32"
)

// fixHeaderCRC recomputes a file header's checksum after a test edited it.
func fixHeaderCRC(b []byte) {
	binary.BigEndian.PutUint32(b[20:], crc32.Checksum(b[:20], crc32.MakeTable(crc32.Castagnoli)))
}
