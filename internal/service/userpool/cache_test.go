package userpool

import "testing"

func TestDecodedCacheFollowsTheStoredBytes(t *testing.T) {
	var c decodedCache[map[string]int]
	v, err := c.decode("p1", []byte(`{"a":1}`))
	if err != nil || v["a"] != 1 {
		t.Fatalf("first decode = %v, %v", v, err)
	}
	v, _ = c.decode("p1", []byte(`{"a":2}`)) // changed by another instance
	if v["a"] != 2 {
		t.Fatalf("a changed document was served from the cache: %v", v)
	}
	if _, err := c.decode("p2", []byte(`{`)); err == nil {
		t.Fatal("a malformed document decoded")
	}
	for i := range decodedCacheSize + 10 {
		c.decode(string(rune('a'+i%26))+string(rune(i)), []byte(`{}`))
	}
	if len(c.entries) > decodedCacheSize {
		t.Fatalf("cache grew to %d entries", len(c.entries))
	}
}
