package randid

import "crypto/rand"

// Alphabets the services use.
const (
	Alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	Base64     = Alnum + "+/"
)

// String returns n characters of alphabet (at most 256 characters long),
// uniformly: bytes that would bias the modulo are dropped and redrawn.
func String(n int, alphabet string) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+1)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}
