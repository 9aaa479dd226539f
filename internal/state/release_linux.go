//go:build linux

package state

import "syscall"

// releaseMapped advises the kernel that the n mapped bytes at addr are not
// needed: for bbolt's read-only shared mapping of its file, that only
// unmaps the pages from this process.
func releaseMapped(addr, n uintptr) error {
	if n == 0 {
		return nil
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
