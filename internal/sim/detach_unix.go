//go:build unix

package sim

import "syscall"

// DetachedProcAttr starts a process in a session of its own, so that the
// terminal's Ctrl-C and hang-up do not reach it (for 'sim up').
func DetachedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}
