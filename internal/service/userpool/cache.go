package userpool

import (
	"bytes"
	"encoding/json"
	"sync"
)

// decodedCache keeps the decoded form of stored settings documents (pools'
// and clients'), which every sign-in and GetUser reads: decoding a pool's
// settings costs about 65 µs, more than verifying a token. The record is
// still read from the store each time, so a change made by another
// instance is seen at once; an entry is used only while the stored bytes
// are exactly those it was decoded from. Callers must not modify what they
// get. The cache is bounded: when full it starts over.
type decodedCache[T any] struct {
	mu      sync.Mutex
	entries map[string]*decodedEntry[T]
}

type decodedEntry[T any] struct {
	raw []byte
	v   T
}

const decodedCacheSize = 4096

// decode returns the decoded form of raw, the settings of the record id.
func (c *decodedCache[T]) decode(id string, raw []byte) (T, error) {
	c.mu.Lock()
	e := c.entries[id]
	c.mu.Unlock()
	if e != nil && bytes.Equal(e.raw, raw) {
		return e.v, nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= decodedCacheSize {
		c.entries = make(map[string]*decodedEntry[T])
	}
	c.entries[id] = &decodedEntry[T]{raw: bytes.Clone(raw), v: v}
	c.mu.Unlock()
	return v, nil
}
