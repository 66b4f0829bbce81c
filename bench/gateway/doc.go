// Command gateway-bench runs the pieces of bench/gateway/run.sh: a trivial
// backend (-backend) or an in-process gateway (-gateway) with a NONE route
// (/_aws/execute-api/bench/$default/none) and a JWT route (/jwt) whose
// tokens are signed by a key generated at start; -token-file receives one.
package main
