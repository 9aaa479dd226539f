package server

// SpareProcs is how many Ps (GOMAXPROCS) the command runs with beyond
// the CPUs it may use.
//
// Why: a commit's fsync (bbolt's fdatasync) is a blocking system call that
// holds its P until the runtime's monitor takes the P back, which it does
// late or not at all while another P looks idle. With a P per CPU, each
// API file's group-commit leader sitting in fdatasync (a few ms on a busy
// disk) leaves the other APIs' requests one CPU short while that CPU is
// idle: on 2 CPUs, with 8 amapi writers beside saplab, the process used
// 1.2 of its 2 CPUs and saplab's reads fell to 0.33-0.35x of their rate
// alone; with 2 spare Ps it used 1.85 and the reads kept 0.79x
// (BenchmarkMixedLoad, bench/README.md). Two: tested, and no more than the
// number of API files likely to be in fdatasync at once. The command
// keeps them only while commits overlap other requests (internal/procs):
// idle, they cost a lone writer a thread's wake-up per ready goroutine.
const SpareProcs = 2

// Procs is the GOMAXPROCS the command sets when the runtime's default is
// procs, and false when it sets none because the environment has
// GOMAXPROCS (env), which is the user's word and always wins, as
// GOMEMLIMIT does for the memory limit. A Go test that embeds the server
// keeps its own runtime settings: only the command calls this.
func Procs(procs int, env string) (int, bool) {
	if env != "" {
		return 0, false
	}
	return procs + SpareProcs, true
}
