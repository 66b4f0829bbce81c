// Package clock is the server's clock: the real time plus an offset that a
// test suite may move forward (POST /_ninsho/clock, with --allow-reset) to
// expire tokens, sessions and credentials without waiting.
package clock
