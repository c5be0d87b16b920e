//go:build !unix

package render

// processAlive cannot tell on this system: leftovers are kept.
func processAlive(int) bool { return true }
