// Command hostile measures what issue 14 asked of a mock under hostile
// clients, against a mockserver binary it starts itself on loopback:
//
//	journal  the worst case for the journal (near-1 MiB headers, 64 KiB
//	         bodies): RSS idle, at the peak while loading and listing, and
//	         after DELETE /__admin/requests, next to --journal-bytes
//	conns    slowloris in its three forms and a flood of silent
//	         connections: an ordinary client's latency with them open, as
//	         a ratio to the same client's latency alone (interleaved
//	         rounds), and the server's open descriptors next to --max-conns
//	bare     the journal mode's load against a bare net/http server (a
//	         child process whose handler drains the body and answers 401):
//	         the rate Go's HTTP layer alone allows for these requests here,
//	         which bounds how many a run of the mock can send
//	inproc   the journal mode's worst case sent to the server's handler in
//	         this process, without sockets (inproc.go), so a 1 M-request
//	         run takes minutes, not hours
//
// It prints figures as ratios to a baseline of the same run; the machine's
// noise makes bare numbers meaningless. bench/run.sh hostile builds and
// runs it.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("bin", "bench/out/mockserver", "the mockserver binary")
	mode := flag.String("mode", "journal", "journal or conns")
	n := flag.Int("n", 20000, "journal: worst-case requests to send")
	dur := flag.Duration("duration", 0, "journal: stop sending after this long even if -n are not sent (0: no bound)")
	every := flag.Duration("sample", 2*time.Second, "journal: how often RSS is sampled from /proc")
	workers := flag.Int("c", 8, "journal: concurrent clients")
	conns := flag.Int("conns", 4000, "conns: hostile connections of each kind (bounded by ulimit -n)")
	maxConns := flag.Int("max-conns", 1024, "conns: the server's --max-conns")
	budget := flag.Int("journal-bytes", 32<<20, "journal: the server's --journal-bytes")
	clone := flag.Bool("clone", true, "inproc: give each request its own copy of the big header, as net/http would")
	serveBare := flag.String("serve-bare", "", "internal: serve the bare reference on this address (bare mode's child)")
	flag.Parse()
	switch {
	case *serveBare != "":
		bareServer(*serveBare)
		return
	case *mode == "bare":
		bare(*n, *workers, *dur)
		return
	case *mode == "inproc":
		inproc(*n, *workers, *budget, *every, *clone)
		return
	}
	dir, err := os.MkdirTemp("", "hostile")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	addr := freeAddr()
	args := []string{"--addr", addr, "--db", filepath.Join(dir, "state.db"), "--fresh", "--log-level", "warn",
		"--journal-bytes", strconv.Itoa(*budget), "--max-conns", strconv.Itoa(*maxConns)}
	if *mode == "conns" {
		// Short timeouts, so the hostile connections are cut within a
		// round; the journal's load runs with the defaults.
		args = append(args, "--read-header-timeout", "2s", "--read-timeout", "5s", "--idle-timeout", "5s")
	}
	cmd := exec.Command(*bin, args...)
	cmd.Stderr = os.Stderr
	cmd.Env = os.Environ() // GOMEMLIMIT, GOGC pass through
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	child = cmd
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	base := "http://" + addr
	waitHealthy(base)
	switch *mode {
	case "journal":
		journal(cmd.Process.Pid, base, *n, *workers, *budget, *dur, *every)
	case "conns":
		connsMode(cmd.Process.Pid, base, *conns, *maxConns)
	default:
		fatal("unknown mode " + *mode)
	}
}

// child is the server under test, killed by fatal.
var child *exec.Cmd

// fatal kills the server under test, then exits with v.
func fatal(v any) {
	if child != nil {
		_ = child.Process.Kill()
	}
	log.Fatal(v)
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(base string) {
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(base + "/__admin/health"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fatal("the server never answered")
}

// procStatus reads a kB figure (VmRSS, VmHWM) of pid, in MiB.
func procStatus(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func fds(pid int) int {
	es, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(es)
}

// journal sends n worst-case requests (a 1000 KiB header, a 64 KiB body,
// to a path that is a 401, journaled all the same) from workers clients,
// listing the journal now and then, for at most dur (0: no bound). It
// samples the server's RSS every every and reports it against the budget.
func journal(pid int, base string, n, workers, budget int, dur, every time.Duration) {
	clear := func() {
		req, _ := http.NewRequest(http.MethodDelete, base+"/__admin/requests", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fatal(err)
		}
		resp.Body.Close()
	}
	memoryRun(pid, budget, every, "journal worst case", fmt.Sprintf("GOMEMLIMIT=%q", os.Getenv("GOMEMLIMIT")),
		func() (int, time.Duration, int) { return load(base, n, workers, dur) }, workers, clear)
}

// memoryRun is the journal's worst case measured on process pid: RSS idle,
// sampled every every while run sends the load, at the end and at its
// peak, then after clear (DELETE /__admin/requests) for 10 s, since the
// runtime gives freed memory back gradually; it prints them against
// budget, under title and a note on how the load was made.
func memoryRun(pid, budget int, every time.Duration, title, note string, run func() (int, time.Duration, int), workers int, clear func()) {
	idle := procStatus(pid, "VmRSS")
	stop := make(chan struct{})
	curve := sampleRSS(pid, every, stop)
	sent, took, listed := run()
	close(stop)
	samples := <-curve
	loaded, peak := procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM")
	clear()
	var after []float64
	for i := 0; i < 10; i++ {
		time.Sleep(time.Second)
		after = append(after, procStatus(pid, "VmRSS"))
	}
	mib := float64(budget) / (1 << 20)
	fmt.Printf("%s: %d requests (1000 KiB header, 64 KiB body) in %s (%.0f/s), %d clients, %s\n",
		title, sent, took.Round(time.Millisecond), float64(sent)/took.Seconds(), workers, note)
	fmt.Printf("  budget %.0f MiB; largest listing %.1f MiB\n", mib, float64(listed)/(1<<20))
	fmt.Printf("  RSS idle %.0f MiB; after the load %.0f MiB (%.2fx budget); peak %.0f MiB (%.2fx budget; budget + %.0f MiB)\n",
		idle, loaded, loaded/mib, peak, peak/mib, peak-mib)
	fmt.Printf("  RSS sampled every %s: %s\n", every, summary(samples, mib))
	fmt.Printf("  after DELETE /__admin/requests: %.0f MiB at 1 s, %.0f MiB at 10 s (%.2fx idle)\n", after[0], after[len(after)-1], after[len(after)-1]/idle)
}

// sampleRSS reads pid's VmRSS every every until stop closes, then sends
// the samples.
func sampleRSS(pid int, every time.Duration, stop chan struct{}) chan []float64 {
	out := make(chan []float64, 1)
	go func() {
		var samples []float64
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				out <- samples
				return
			case <-t.C:
				samples = append(samples, procStatus(pid, "VmRSS"))
			}
		}
	}()
	return out
}

// summary is the samples' max, median and last, how many exceeded
// budget + 64 MiB, and the curve at ten evenly spaced points.
func summary(samples []float64, budget float64) string {
	if len(samples) == 0 {
		return "no samples"
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	over := 0
	for _, s := range samples {
		if s > budget+64 {
			over++
		}
	}
	var curve []string
	for i := 0; i < 10; i++ {
		curve = append(curve, fmt.Sprintf("%.0f", samples[i*len(samples)/10]))
	}
	return fmt.Sprintf("%d samples, max %.0f MiB, median %.0f MiB, last %.0f MiB; %d over budget + 64 MiB; curve (MiB) %s",
		len(samples), sorted[len(sorted)-1], sorted[len(sorted)/2], samples[len(samples)-1], over, strings.Join(curve, " "))
}

// load sends the n requests (or as many as dur allows) and lists the
// journal every 2,000th; it returns how many it sent, how long it took and
// the largest listing's size.
func load(base string, n, workers int, dur time.Duration) (int, time.Duration, int) {
	client := &http.Client{}
	list := func() int {
		resp, err := client.Get(base + "/__admin/requests")
		if err != nil {
			return 0
		}
		m, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return int(m)
	}
	send := func(i int, header string, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/create-order?i=%d", base, i), bytes.NewReader(body))
		req.Header.Set("X-Big", header)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return drive(n, workers, dur, list, send)
}

// drive runs workers goroutines that send the worst case (send, with the
// 1000 KiB header and 64 KiB body) until n are sent or dur (when not 0)
// has passed, listing the journal (list, which returns the listing's
// size) before every 2,000th and printing the progress every 100,000th;
// it returns how many it sent, how long it took and the largest listing.
func drive(n, workers int, dur time.Duration, list func() int, send func(i int, header string, body []byte)) (int, time.Duration, int) {
	header := strings.Repeat("h", 1000<<10)
	body := bytes.Repeat([]byte("b"), 64<<10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, listed := 0, 0
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if sent >= n || (dur > 0 && time.Since(start) > dur) {
					mu.Unlock()
					return
				}
				sent++
				i := sent
				mu.Unlock()
				if i%100000 == 0 {
					fmt.Fprintf(os.Stderr, "%d sent in %s\n", i, time.Since(start).Round(time.Second))
				}
				if i%2000 == 0 {
					m := list()
					mu.Lock()
					listed = max(listed, m)
					mu.Unlock()
				}
				send(i, header, body)
			}
		}()
	}
	wg.Wait()
	return sent, time.Since(start), listed
}

// connsMode measures an ordinary client's GET latency alone and with
// hostile connections open, in alternating rounds, and the server's
// descriptors.
func connsMode(pid int, base string, k, maxConns int) {
	addr := strings.TrimPrefix(base, "http://")
	round := func() time.Duration {
		var ds []time.Duration
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 60 * time.Second}
		for i := 0; i < 50; i++ {
			t0 := time.Now()
			resp, err := client.Get(base + "/v1/profile/?api_key=demo-key")
			if err != nil {
				return -1
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ds = append(ds, time.Since(t0))
		}
		slices.Sort(ds)
		return ds[len(ds)*99/100]
	}
	hostile := func(ctx context.Context, kind string) []net.Conn {
		var out []net.Conn
		for i := 0; i < k; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				break // the listen backlog is full: the rest would be refused anyway
			}
			switch kind {
			case "slow_headers":
				_, _ = io.WriteString(c, "GET /v1/profile/ HTTP/1.1\r\nHost: m\r\nX-Slow: ")
			case "slow_body":
				_, _ = io.WriteString(c, "POST /v1/order/?api_key=demo-key HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
			case "idle_keepalive":
				_, _ = io.WriteString(c, "GET /__admin/health HTTP/1.1\r\nHost: m\r\n\r\n")
				go func() { _, _ = http.ReadResponse(bufio.NewReader(c), nil) }()
			}
			out = append(out, c)
		}
		return out
	}
	fmt.Printf("conns: %d hostile connections of each kind, --max-conns %d; p99 of 50 ordinary GETs on fresh connections\n", k, maxConns)
	for _, kind := range []string{"silent", "slow_headers", "slow_body", "idle_keepalive"} {
		alone := round()
		cs := hostile(context.Background(), kind)
		open := fds(pid)
		with := round()
		for _, c := range cs {
			_ = c.Close()
		}
		time.Sleep(500 * time.Millisecond)
		after := round()
		fmt.Printf("  %-15s opened %5d: server fds %5d (cap %d); p99 alone %v, with them %v (%.2fx), after %v\n",
			kind, len(cs), open, maxConns, alone.Round(10*time.Microsecond), with.Round(10*time.Microsecond),
			float64(with)/float64(alone), after.Round(10*time.Microsecond))
	}
}

// bareServer is bare mode's child: net/http with the mock's timeouts off
// and a handler that reads the body and answers a short 401, as the mock
// answers these requests.
func bareServer(addr string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
	})
	log.Fatal(http.ListenAndServe(addr, h))
}

// bare runs the journal mode's load against bareServer in a child process
// and prints the rate: what Go's HTTP layer costs for these requests on
// this machine, with no mock behind it.
func bare(n, workers int, dur time.Duration) {
	self, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	addr := freeAddr()
	cmd := exec.Command(self, "-serve-bare", addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	child = cmd
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	base := "http://" + addr
	waitHealthy(base) // any answer will do
	sent, took, _ := load(base, n, workers, dur)
	fmt.Printf("bare net/http: %d requests (1000 KiB header, 64 KiB body) in %s (%.0f/s), %d clients\n",
		sent, took.Round(time.Millisecond), float64(sent)/took.Seconds(), workers)
}
