//go:build e2e

package e2e

import "syscall"

// procAttr makes the kernel kill a child if the test binary dies first, so a
// crashed or timed-out run leaves no server behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
