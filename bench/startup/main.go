// Command startup measures what a user waits for: process start to the first
// 200 on /__admin/health with the default scenario on a fresh state file, and
// the idle resident memory afterwards. The same start-to-first-200 is taken
// for the bare reference server, so the result is also given as a ratio.
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

	var mock, base []time.Duration
	var rss []int
	for i := 0; i < *runs; i++ {
		port := freePort()
		db := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
		if *seeded != "" {
			if err := copyState(*seeded, db); err != nil {
				log.Fatal(err)
			}
		}
		d, pid, stop := measure(*bin, port, "/__admin/health", "serve", "--addr", "127.0.0.1:"+port, "--db", db, "--log-level", "warn")
		mock = append(mock, d)
		if i == *runs-1 {
			time.Sleep(time.Second) // idle
			rss = append(rss, rssKB(pid))
		}
		stop()
		removeState(db)
		if *ref != "" {
			port := freePort()
			d, _, stop := measure(*ref, port, "/", "--addr", "127.0.0.1:"+port)
			base = append(base, d)
			stop()
		}
	}
	what := "fresh db, default scenario"
	if *seeded != "" {
		what = "restart on a copy of " + *seeded
	}
	fmt.Printf("start to first 200 on /__admin/health (%s), %d runs:\n", what, *runs)
	fmt.Printf("  mockserver  p50 %6.1f ms  p90 %6.1f ms\n", ms(pct(mock, 50)), ms(pct(mock, 90)))
	if len(base) > 0 {
		fmt.Printf("  reference   p50 %6.1f ms  p90 %6.1f ms\n", ms(pct(base, 50)), ms(pct(base, 90)))
		fmt.Printf("  ratio mock/reference p50 %.2fx\n", float64(pct(mock, 50))/float64(pct(base, 50)))
	}
	fmt.Printf("idle RSS after start: %.1f MB\n", float64(rss[0])/1024)
}

// copyFile copies a state file for one run.
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
