//go:build e2e && !linux

package e2e

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }
