package server

import "testing"

func TestProcs(t *testing.T) {
	for _, tc := range []struct {
		procs int
		env   string
		want  int
		set   bool
	}{
		{procs: 1, want: 3, set: true},
		{procs: 2, want: 4, set: true},
		{procs: 64, want: 66, set: true},
		{procs: 2, env: "2", want: 0, set: false},
		{procs: 8, env: "1", want: 0, set: false},
	} {
		got, set := Procs(tc.procs, tc.env)
		if got != tc.want || set != tc.set {
			t.Errorf("Procs(%d, %q) = %d, %v; want %d, %v", tc.procs, tc.env, got, set, tc.want, tc.set)
		}
	}
}
