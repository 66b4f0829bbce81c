// Package randid makes the random identifiers and secrets AWS services hand
// out (pool ids, client ids and secrets, access key ids, session tokens),
// from crypto/rand and uniformly over an alphabet.
package randid
