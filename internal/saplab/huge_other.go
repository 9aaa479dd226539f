//go:build !linux

package saplab

import "unsafe"

// adviseHuge does nothing where madvise's huge pages are not offered.
func adviseHuge(unsafe.Pointer, uintptr) {}

// populate does nothing where madvise cannot populate a mapping.
func populate([]byte) {}
