package sim

import "syscall"

// sysProcAttr makes the kernel kill a component when the process that
// started it dies, even by SIGKILL, so that none outlives its owner.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
