package pgstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// sealer seals records with AES-256-GCM: a random 12-byte nonce, then the
// ciphertext and tag. The additional data binds a record to its store
// (kind and name), so that a record copied into another store does not
// open. Random nonces keep the collision risk below 2^-32 for up to 2^32
// records under one key.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	b, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: g}, nil
}

func (s *sealer) seal(ad, rec []byte) []byte {
	ns := s.aead.NonceSize()
	out := make([]byte, ns, ns+len(rec)+s.aead.Overhead())
	rand.Read(out[:ns]) // never fails (crypto/rand)
	return s.aead.Seal(out, out[:ns], rec, ad)
}

var errShort = errors.New("shorter than a nonce and tag")

func (s *sealer) open(ad, b []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(b) < ns+s.aead.Overhead() {
		return nil, errShort
	}
	return s.aead.Open(nil, b[:ns], b[ns:], ad)
}
