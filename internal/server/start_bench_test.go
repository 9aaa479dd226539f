package server

import (
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkStart is the default scenario's start on a new file, in process:
// New (open, seed, commit, routes) and Close. Its -cpuprofile says where a
// start's CPU goes (bench/run.sh startup measures the whole process).
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, err := New(Config{DB: filepath.Join(dir, "s"+strconv.Itoa(i)+".db")}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
