//go:build unix

package render

import (
	"errors"
	"syscall"
)

// processAlive tells whether a process with this id exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
