//go:build linux

package saplab

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel to back the n bytes at p with huge pages where
// it can (madvise MADV_HUGEPAGE; transparent huge pages in "madvise" mode
// are off otherwise): the stored view's arrays are tens of megabytes
// written once at start, and a 4 KB page fault each cost a restart of
// 100k/500k half its CPU on a virtual machine. Advice only: an error is
// ignored.
func adviseHuge(p unsafe.Pointer, n uintptr) {
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + n) &^ (huge - 1)
	if end > start {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, syscall.MADV_HUGEPAGE)
	}
}

// populate maps the pages of b (bbolt's mapping of the file, from the page
// cache) into the process in one call (madvise MADV_POPULATE_READ, Linux
// 5.14 and later) instead of a page fault every 4 KB as the decoder reads
// them. Advice only: an error (an older kernel) is ignored.
func populate(b []byte) {
	const page = 4096
	if len(b) < 16*page {
		return
	}
	p := uintptr(unsafe.Pointer(&b[0]))
	start := p &^ (page - 1)
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, p+uintptr(len(b))-start, madvPopulateRead)
}

// madvPopulateRead is MADV_POPULATE_READ (the syscall package predates it).
const madvPopulateRead = 22
