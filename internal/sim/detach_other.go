//go:build !unix

package sim

import "syscall"

// DetachedProcAttr is the default elsewhere.
func DetachedProcAttr() *syscall.SysProcAttr { return nil }
