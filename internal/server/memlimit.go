package server

import (
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// MemoryAuto is Config.MemoryLimit's "derive it from the journals"
// (--memory-limit 0, the command's default).
const MemoryAuto = -1

// MemoryHeadroom is the least the derived soft limit allows beyond the
// journals' budgets and the rest of the live heap: the connections'
// buffers and the garbage of the requests in flight. With it the worst
// case of the journal (1 MiB headers, 64 KiB bodies) stays within
// budget + 64 MiB of RSS, which also counts the binary's code and the
// runtime's own memory (bench/README.md, "journal").
const MemoryHeadroom = 24 << 20

// memoryLimit is the soft limit the server sets for journals live
// journals of budget bytes each under cfg (Config.MemoryLimit), when the
// rest of the live heap (the views, the scenario: everything but the
// journals' entries) was other bytes at the last collection; and false
// when it sets none: cfg is 0 (the library's default: a Go test that
// embeds the server keeps its own runtime settings), or the environment
// has GOMEMLIMIT (gomemlimit), which is the user's word and always wins.
//
// The rest of the heap gets the room the collector's own pacing (GOGC=100)
// would give it, and at least MemoryHeadroom: a state of 100k saplab
// clients keeps its usual pace of collection, and only the journals, whose
// live bytes the budget already bounds, lose their doubling.
func memoryLimit(cfg int64, gomemlimit string, budget int64, journals int, other int64) (int64, bool) {
	switch {
	case gomemlimit != "" || cfg == 0:
		return 0, false
	case cfg > 0:
		return cfg, true
	}
	other = max(other, 0)
	rest := other + max(other, MemoryHeadroom)
	n := int64(max(journals, 1))
	if other > math.MaxInt64/4 || budget > (math.MaxInt64-rest)/n {
		return math.MaxInt64, true
	}
	return rest + budget*n, true
}

// memLimiter keeps the runtime's soft memory limit (debug.SetMemoryLimit)
// in step with the number of live journals (the root's and one per live
// world, each of which may hold its budget) and with the rest of the live
// heap, measured after every collection. Without a limit the collector
// lets the heap grow to twice the live heap (GOGC=100), and net/http's
// garbage from reading large headers (each 1 MiB header is read, then
// copied into a string) grows with the journal that stays live: a worst
// case load doubled the budget (docs/decisions.md, "A soft memory limit").
// A fixed limit would instead starve a large state of room: a 300 MB
// saplab view would be collected again every few MiB of allocation.
type memLimiter struct {
	mu       sync.Mutex // orders the updates of two worlds made at once and of a collection
	cfg      int64
	env      string
	budget   int64
	journals int   // live journals, as last told
	other    int64 // the live heap but the journals' entries, at the last collection
	set      func(int64) int64
	held     func() int64 // bytes the live journals hold now; nil: none
	stopped  atomic.Bool

	// The collector's pace (gcPercent), set only with a limit the server
	// derived or was given, and never when the environment has GOGC: a
	// user's GOGC always wins.
	gogc       string
	live       int64         // the live heap at the last collection; 0: none measured yet
	setPercent func(int) int // debug.SetGCPercent
}

// newMemLimiter is the limiter of cfg, reading GOMEMLIMIT from env; held
// tells what the live journals hold.
func newMemLimiter(cfg *Config, env string, held func() int64) *memLimiter {
	return &memLimiter{
		cfg: cfg.MemoryLimit, env: env, budget: int64(cfg.JournalBytes), set: debug.SetMemoryLimit, held: held,
		gogc: os.Getenv("GOGC"), setPercent: debug.SetGCPercent,
	}
}

// setJournals sets the limit for n live journals, when the server sets one.
func (m *memLimiter) setJournals(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.journals = n
	m.apply()
}

// collected takes the live heap the last collection measured (live bytes,
// of which the journals hold held) and moves the limit to it.
func (m *memLimiter) collected(live, held int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.other = live - held
	m.live = max(live, 1)
	m.apply()
}

// apply sets the limit and, once a collection has measured the live heap
// and unless GOGC is in the environment, the collector's percent under
// it; m.mu is held.
func (m *memLimiter) apply() {
	limit, ok := memoryLimit(m.cfg, m.env, m.budget, m.journals, m.other)
	if !ok {
		return
	}
	m.set(limit)
	if m.gogc != "" || m.live == 0 || m.setPercent == nil {
		return
	}
	// Set every time, as the limit is: both are the process's, and another
	// server's limiter (or a closed one's last cleanup) may have set its
	// own since; the percent in force must be the one bounded under the
	// limit just set. It costs the runtime's heap lock once a collection.
	m.setPercent(gcPercent(m.live, limit))
}

// The collector's percent (GOGC) stays within these bounds.
const (
	minGCPercent = 100 // the runtime's default
	maxGCPercent = 400
)

// gcPercent is the collector's percent for a live heap of live bytes
// under a soft limit of limit bytes: the largest in [100, 400] whose heap
// goal, live×(1+p/100), stays a whole MemoryHeadroom under the limit, and
// 100 when none does.
//
// Why: under small reads the live heap is mostly the journal's held
// entries, marked anew each cycle, and at the runtime's 100 a cycle comes
// every few thousand requests (1.2-1.9 µs a request; 0.4 at 400). A fixed
// 400 let issue 14's worst case (large requests in flight, the journal
// near its budget) reach the limit itself and overshoot it
// (docs/decisions.md, "GOGC 400 once serving"). Bounded this way the goal
// never comes within MemoryHeadroom of the limit, and under that worst
// case, where live is near the limit, the percent is the runtime's.
func gcPercent(live, limit int64) int {
	live = max(live, 1)
	if limit < MemoryHeadroom {
		return minGCPercent // and limit - MemoryHeadroom cannot overflow below
	}
	room := limit - MemoryHeadroom // the most the goal may be
	if room <= live {
		return minGCPercent
	}
	extra := uint64(room - live) // the goal's bytes beyond live
	if extra/uint64(live) >= maxGCPercent/100 {
		return maxGCPercent
	}
	// extra < 4×live, so extra×100 / live < 400 fits: no overflow.
	hi, lo := bits.Mul64(extra, 100)
	p, _ := bits.Div64(hi, lo, uint64(live))
	return max(int(p), minGCPercent)
}

// follow measures the live heap after every collection until stop: a
// sentinel object's cleanup runs once the collector has found it
// unreachable, and arms the next one. Nothing runs on a timer.
func (m *memLimiter) follow() {
	if _, ok := memoryLimit(m.cfg, m.env, 0, 1, 0); !ok {
		return // the server sets no limit: nothing to follow
	}
	m.arm()
}

// sentinel is allocated only to be collected; it is big enough that the
// allocator gives it its own object (tiny objects share one, and their
// cleanups may never run).
type sentinel [64]byte

func (m *memLimiter) arm() {
	runtime.AddCleanup(new(sentinel), func(m *memLimiter) {
		if m.stopped.Load() {
			return
		}
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		var held int64
		if m.held != nil {
			held = m.held()
		}
		if sample[0].Value.Kind() == metrics.KindUint64 {
			m.collected(int64(sample[0].Value.Uint64()), held)
		}
		m.arm()
	}, m)
}

// stop ends follow; the limit and the percent set last stay.
func (m *memLimiter) stop() { m.stopped.Store(true) }
