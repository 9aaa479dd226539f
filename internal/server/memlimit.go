package server

import (
	"math"
	"runtime/debug"
	"sync"
)

// MemoryAuto is Config.MemoryLimit's "derive it from the journals"
// (--memory-limit 0, the command's default).
const MemoryAuto = -1

// MemoryHeadroom is what the derived soft limit allows beyond the journals'
// budgets: the rest of the live heap (the views, the scenario, the
// connections' buffers) and the garbage of the requests in flight. With it
// the worst case of the journal (1 MiB headers, 64 KiB bodies) stays
// within budget + 64 MiB of RSS, which also counts the binary's code and
// the runtime's own memory (bench/README.md, "journal").
const MemoryHeadroom = 32 << 20

// memoryLimit is the soft limit the server sets for journals live
// journals of budget bytes each under cfg (Config.MemoryLimit), and false
// when it sets none: cfg is 0 (the library's default: a Go test that
// embeds the server keeps its own runtime settings), or the environment
// has GOMEMLIMIT (gomemlimit), which is the user's word and always wins.
func memoryLimit(cfg int64, gomemlimit string, budget int64, journals int) (int64, bool) {
	switch {
	case gomemlimit != "" || cfg == 0:
		return 0, false
	case cfg > 0:
		return cfg, true
	}
	if budget > (math.MaxInt64-MemoryHeadroom)/int64(max(journals, 1)) {
		return math.MaxInt64, true
	}
	return MemoryHeadroom + budget*int64(max(journals, 1)), true
}

// memLimiter keeps the runtime's soft memory limit (debug.SetMemoryLimit)
// in step with the number of live journals: the root's and one per live
// world, each of which may hold its budget. Without a limit the collector
// lets the heap grow to twice the live heap (GOGC=100), and net/http's
// garbage from reading large headers (each 1 MiB header is read, then
// copied into a string) grows with the journal that stays live: a worst
// case load doubled the budget (docs/decisions.md, "A soft memory limit").
type memLimiter struct {
	mu     sync.Mutex // orders the updates of two worlds made at once
	cfg    int64
	env    string
	budget int64
	set    func(int64) int64 // debug.SetMemoryLimit; a test's recorder
}

// newMemLimiter is the limiter of cfg, reading GOMEMLIMIT from env.
func newMemLimiter(cfg *Config, env string) *memLimiter {
	return &memLimiter{cfg: cfg.MemoryLimit, env: env, budget: int64(cfg.JournalBytes), set: debug.SetMemoryLimit}
}

// journals sets the limit for n live journals, when the server sets one.
func (m *memLimiter) journals(n int) {
	limit, ok := memoryLimit(m.cfg, m.env, m.budget, n)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(limit)
}
