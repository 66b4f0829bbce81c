//go:build !unix

package gateway

import "net"

// stillOpen cannot peek here; a stale connection fails the request that
// uses it, which is retried once when it had no body.
func stillOpen(net.Conn) bool { return true }
