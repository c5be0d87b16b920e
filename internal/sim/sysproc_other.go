//go:build !linux

package sim

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
