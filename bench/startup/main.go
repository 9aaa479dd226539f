// Command startup measures what a user waits for: process start to the first
// 200 on /__admin/health with the default scenario on a fresh state file, and
// the idle resident memory afterwards. The same start-to-first-200 is taken
// for the bare reference server, so the result is also given as a ratio;
// --base measures a second mockserver binary (main's build, say) in the
// same runs, interleaved, for a before/after ratio.
// With --db, each start is a restart on a copy of that seeded file (the
// copy is made before the clock starts): what a history costs a restart.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "mockserver binary")
	base := flag.String("base", "", "a second mockserver binary (e.g. main's build) to measure interleaved with --bin (optional)")
	ref := flag.String("ref", "", "reference binary (optional)")
	runs := flag.Int("runs", 20, "starts to measure")
	seeded := flag.String("db", "", "restart on a copy of this state file instead of a fresh one")
	flag.Parse()
	if *bin == "" {
		log.Fatal("--bin is required")
	}
	dir, err := os.MkdirTemp("", "startup")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	mocks := []*series{{name: "mockserver", bin: *bin}}
	if *base != "" {
		mocks = append(mocks, &series{name: "base", bin: *base})
	}
	var refs []time.Duration
	for i := 0; i < *runs; i++ {
		// Idle RSS is read three times (at a third, two thirds and the
		// end), after a second of idling each: the median of three.
		idle := (i+1)%max(*runs/3, 1) == 0
		for _, m := range mocks {
			m.start(dir, i, *seeded, idle)
		}
		if *ref != "" {
			port := freePort()
			d, _, stop := measure(*ref, port, "/", "--addr", "127.0.0.1:"+port)
			refs = append(refs, d)
			stop()
		}
	}
	report(mocks, refs, *runs, *seeded)
}

// series is one mockserver binary's starts and idle RSS samples.
type series struct {
	name, bin string
	starts    []time.Duration
	cpu       []time.Duration // user+system CPU to the first 200
	rss       []int
}

// start measures one start of the series' binary on a fresh file, or on a
// copy of seeded, and, when idle, its RSS after a second of idling.
func (m *series) start(dir string, i int, seeded string, idle bool) {
	port := freePort()
	db := filepath.Join(dir, fmt.Sprintf("%s%d.db", m.name, i))
	if seeded != "" {
		if err := copyState(seeded, db); err != nil {
			log.Fatal(err)
		}
	}
	d, pid, stop := measure(m.bin, port, "/__admin/health", "serve", "--addr", "127.0.0.1:"+port, "--db", db, "--log-level", "warn")
	m.starts = append(m.starts, d)
	m.cpu = append(m.cpu, cpuTime(pid))
	if idle {
		time.Sleep(time.Second)
		m.rss = append(m.rss, rssKB(pid))
	}
	stop()
	removeState(db)
}

// report prints each series' p50 and p90 and median idle RSS, and the
// ratios to the reference and between the two mockserver binaries.
func report(mocks []*series, refs []time.Duration, runs int, seeded string) {
	what := "fresh db, default scenario"
	if seeded != "" {
		what = "restart on a copy of " + seeded
	}
	fmt.Printf("start to first 200 on /__admin/health (%s), %d runs, interleaved:\n", what, runs)
	for _, m := range mocks {
		fmt.Printf("  %-10s  p50 %6.1f ms  p90 %6.1f ms  CPU mean %5.1f ms  idle RSS %.1f MB (median of %d)\n",
			m.name, ms(pct(m.starts, 50)), ms(pct(m.starts, 90)), ms(mean(m.cpu)), float64(medianInt(m.rss))/1024, len(m.rss))
	}
	if len(refs) > 0 {
		fmt.Printf("  reference   p50 %6.1f ms  p90 %6.1f ms\n", ms(pct(refs, 50)), ms(pct(refs, 90)))
		for _, m := range mocks {
			fmt.Printf("  ratio %s/reference p50 %.2fx p90 %.2fx\n", m.name,
				float64(pct(m.starts, 50))/float64(pct(refs, 50)), float64(pct(m.starts, 90))/float64(pct(refs, 90)))
		}
	}
	if len(mocks) == 2 {
		a, b := mocks[0], mocks[1]
		fmt.Printf("  ratio mockserver/base p50 %.2fx p90 %.2fx, CPU mean %.2fx, idle RSS %.2fx\n",
			float64(pct(a.starts, 50))/float64(pct(b.starts, 50)), float64(pct(a.starts, 90))/float64(pct(b.starts, 90)),
			float64(mean(a.cpu))/float64(mean(b.cpu)), float64(medianInt(a.rss))/float64(medianInt(b.rss)))
	}
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(max(len(ds), 1))
}

func medianInt(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[(len(s)-1)/2]
}

// stateSuffixes are the files of a state beside its --db file, one per
// API (README, "The state files").
var stateSuffixes = []string{"", ".amapi", ".carreta", ".saplab"}

// copyState copies the state at from (each of its files there is) to to.
func copyState(from, to string) error {
	for _, sfx := range stateSuffixes {
		data, err := os.ReadFile(from + sfx)
		if errors.Is(err, os.ErrNotExist) && sfx != "" {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(to+sfx, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// removeState removes every file of the state at db.
func removeState(db string) {
	for _, sfx := range stateSuffixes {
		_ = os.Remove(db + sfx)
	}
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// measure starts bin and polls path until it answers 200.
func measure(bin, port, path string, args ...string) (time.Duration, int, func()) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	url := "http://127.0.0.1:" + port + path
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			log.Fatalf("%s did not answer %s within 10s", bin, url)
		}
		time.Sleep(200 * time.Microsecond)
	}
	d := time.Since(start)
	return d, cmd.Process.Pid, func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
}

// cpuTime is the user and system CPU time pid has used so far, from
// /proc/<pid>/stat (in clock ticks of 10 ms: a median over many starts
// says more than one). On a loaded machine it is steadier than the wall
// time, which waits for the scheduler.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func rssKB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmRSS:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(s.Text(), "VmRSS:")), "%d", &kb)
			return kb
		}
	}
	return 0
}

func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
