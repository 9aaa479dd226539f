// Package procs keeps the command's spare Ps (GOMAXPROCS beyond the CPUs)
// only while they are of use: while a commit overlaps other requests.
//
// Why: a commit's fdatasync holds its P until the runtime's monitor takes
// it back, so the command runs with spare Ps, or the other requests wait
// for each fsync with the CPU idle (issue 14's mixed load: beside 8 amapi
// writers saplab kept 0.63x of its reads and of its writes alone at
// GOMAXPROCS=1, 0.91x and 1.02x with two spare Ps, bench/run.sh mixed). But a lone writer pays for the idle
// spare Ps: every goroutine that becomes ready while one is idle wakes a
// thread to spin for it, and on a shared core those wake-ups are most of
// the gap to a plain commit per request (issue 16: GOMAXPROCS=1 did 1.3-1.7x
// the default's writes at one client, in the same rounds).
//
// So the command installs a Governor (raised for the start, then lowered
// once the server is up: Lower): each HTTP request is counted in and
// out (Enter, Leave), and each group commit's leader asks it first
// (Commit). A commit with another request in flight raises GOMAXPROCS to
// base+spare at once, before its fsync; lowerAfter commits in a row with
// none lower it to base again. No timer: the count of commits is the only
// clock, so a lone writer (a CI test writing in a loop) runs on base Ps
// from the start (or after lowerAfter writes that follow an overlap), a
// server that only reads never has spare Ps, and any overlap restores the
// spare Ps for the commit that sees it. A change is a stop of the world (tens
// of microseconds), at most once per lowerAfter commits.
//
// It is a leaf: the state package's group commit and the server's handler
// call it; only the command installs one (the library leaves the runtime
// alone), and with none installed every call is one atomic load.
package procs

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// lowerAfter is how many commits in a row must see no other request in
// flight before the spare Ps go: enough that a burst's last writers, whose
// requests trail one another, do not flip the setting back and forth.
const lowerAfter = 64

// Governor raises and lowers GOMAXPROCS around overlapping commits.
type Governor struct {
	base, spare int
	set         func(int) int // runtime.GOMAXPROCS; tests record instead
	inflight    atomic.Int64  // HTTP requests between Enter and Leave

	mu     sync.Mutex // guards raised and lone; held by one leader at a time
	raised bool       // GOMAXPROCS is base+spare
	lone   int        // commits in a row with no other request in flight
}

// New is a Governor that starts raised (base+spare, as the command sets
// at start) and calls set to change GOMAXPROCS.
func New(base, spare int, set func(int) int) *Governor {
	return &Governor{base: base, spare: spare, set: set, raised: true}
}

// active is the installed Governor, nil when none is.
var active atomic.Pointer[Governor]

// Install makes g the process's Governor (nil: none) and sets
// GOMAXPROCS to base+spare. Only the command calls it.
func Install(g *Governor) {
	if g != nil {
		g.set(g.base + g.spare)
	}
	active.Store(g)
}

// InstallRuntime installs a Governor that sets the runtime's GOMAXPROCS:
// the command's.
func InstallRuntime(base, spare int) {
	Install(New(base, spare, runtime.GOMAXPROCS))
}

// Lower drops the spare Ps of the installed Governor, if any, until a
// commit overlaps another request. The command calls it once the server
// is up: the spare Ps help the start (the seeding's commits beside the
// views being built) and a commit that overlaps other requests, never a
// server that only reads. Idle on one core, they cost every request a
// thread's wake-up and sleep (each goroutine made ready wakes a thread to
// look for work): with them a small read at one client took 10-20% more
// CPU than at GOMAXPROCS=1 (issue 16, docs/decisions.md). The first
// commit with another request in flight raises them again, before its
// fsync, as before.
func Lower() {
	if g := active.Load(); g != nil {
		g.lower()
	}
}

// lower sets base Ps now, as lowerAfter lone commits would.
func (g *Governor) lower() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.raised {
		g.set(g.base)
	}
	g.raised, g.lone = false, lowerAfter
}

// Enter counts a request in; Leave, deferred after it, counts it out.
func Enter() {
	if g := active.Load(); g != nil {
		g.inflight.Add(1)
	}
}

// Leave counts a request out.
func Leave() {
	if g := active.Load(); g != nil {
		g.inflight.Add(-1)
	}
}

// Commit is called by a group commit's leader before its transaction.
func Commit() {
	if g := active.Load(); g != nil {
		g.commit()
	}
}

// commit applies next to the request count it sees now, and sets
// GOMAXPROCS when that changes the setting.
func (g *Governor) commit() {
	others := g.inflight.Load() > 1
	g.mu.Lock()
	defer g.mu.Unlock()
	raised, lone := next(g.raised, g.lone, others)
	switch {
	case raised && !g.raised:
		g.set(g.base + g.spare)
	case !raised && g.raised:
		g.set(g.base)
	}
	g.raised, g.lone = raised, lone
}

// next is the rule: a commit that overlaps another request raises (and
// restarts the count), lowerAfter lone commits in a row lower.
func next(raised bool, lone int, others bool) (bool, int) {
	if others {
		return true, 0
	}
	if lone+1 >= lowerAfter {
		return false, lowerAfter
	}
	return raised, lone + 1
}
