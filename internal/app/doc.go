// Package app is the composition root: it opens the store, builds the
// services, mounts every HTTP surface on one handler and runs the background
// loops. It holds no behaviour of its own.
package app
