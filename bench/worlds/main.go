// Command worlds measures the worlds of a running mockserver (issue 10),
// as bench/run.sh worlds runs it: the server pinned to one core, this load
// to another.
//
//  1. creating a world of the default scenario on a warm server, and
//     deleting it: p50 and p99 (targets: create p50 < 10 ms, p99 < 30 ms;
//     delete < 5 ms), back to back and with a short test's pause between;
//  2. the resident memory 100 live worlds add, each having served one
//     round (target < 150 MB), read from /proc/<pid>/status;
//  3. N clients looping carreta order + saplab pay + amapi create-order,
//     first all on the root world, then each in a world of its own, with
//     every answer in a world checked against that client's own history
//     (bench/worldload): rounds per second and their ratio (target: worlds
//     at least 0.8 of root).
//
// It prints one line per figure and exits 1 if a world saw another's data.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/mockserver/mockserver/bench/worldload"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:18180", "the mock's base URL")
	pid := flag.Int("pid", 0, "the mock's process id, for its resident memory (0: skip)")
	creates := flag.Int("creates", 200, "worlds to create and delete for the latency figures")
	clients := flag.Int("clients", 64, "clients of the throughput figures")
	dur := flag.Duration("duration", 10*time.Second, "how long each throughput run lasts")
	work := flag.Duration("work", 20*time.Millisecond, "the paced latency run's pause between a creation and the deletion: a short test")
	flag.Parse()
	hc := worldload.Client()
	for _, pause := range []time.Duration{0, *work} {
		if err := latency(hc, *url, *creates, pause); err != nil {
			log.Fatal(err)
		}
	}
	if *pid != 0 {
		if err := memory(hc, *url, *pid); err != nil {
			log.Fatal(err)
		}
	}
	if err := throughput(hc, *url, *clients, *dur); err != nil {
		log.Fatal(err)
	}
}

// latency creates and deletes n worlds one after the other, after a few to
// warm up (the first seeds the template), and prints the percentiles. With
// a pause, each world lives that long before its deletion, as a short
// test's would: then the spare made in the background meanwhile is ready
// for the next creation. Without, it measures creations back to back,
// where the next spare is still being made.
func latency(hc *http.Client, url string, n int, pause time.Duration) error {
	var create, del []time.Duration
	for i := range n + 5 {
		start := time.Now()
		w, err := worldload.CreateWorld(hc, url)
		if err != nil {
			return err
		}
		c := time.Since(start)
		time.Sleep(pause)
		start = time.Now()
		if err := worldload.DeleteWorld(hc, url, w.ID); err != nil {
			return err
		}
		if i >= 5 {
			create, del = append(create, c), append(del, time.Since(start))
		}
	}
	fmt.Printf("create world (default scenario, warm, n=%d, %s between): p50 %s  p99 %s\n", n, pause,
		worldload.Percentile(create, 50), worldload.Percentile(create, 99))
	fmt.Printf("delete world (n=%d, %s between):                        p50 %s  p99 %s\n", n, pause,
		worldload.Percentile(del, 50), worldload.Percentile(del, 99))
	return nil
}

// memory prints what 100 live worlds, each having served a round, add to
// the server's resident set, then deletes them.
func memory(hc *http.Client, url string, pid int) error {
	before, err := worldload.RSS(strconv.Itoa(pid))
	if err != nil {
		return err
	}
	var ids []string
	for range 100 {
		w, err := worldload.CreateWorld(hc, url)
		if err != nil {
			return err
		}
		ids = append(ids, w.ID)
		if err := worldload.Once(hc, w.URL); err != nil {
			return err
		}
	}
	after, err := worldload.RSS(strconv.Itoa(pid))
	if err != nil {
		return err
	}
	fmt.Printf("100 live worlds add %.1f MB of RSS (%.1f MB before, %.1f MB after)\n",
		float64(after-before)/(1<<20), float64(before)/(1<<20), float64(after)/(1<<20))
	for _, id := range ids {
		if err := worldload.DeleteWorld(hc, url, id); err != nil {
			return err
		}
	}
	return nil
}

// throughput runs the clients on the root, then each in its own world, and
// prints rounds per second and the ratio.
func throughput(hc *http.Client, url string, clients int, d time.Duration) error {
	bases := make([]string, clients)
	for i := range bases {
		bases[i] = url
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	rounds, err := worldload.Drive(ctx, hc, bases, false)
	cancel()
	if err != nil {
		return err
	}
	root := float64(worldload.Sum(rounds)) / d.Seconds()
	fmt.Printf("%d clients on the root world:       %8.1f rounds/s (3 writes each)\n", clients, root)

	ids := make([]string, clients)
	for i := range bases {
		w, err := worldload.CreateWorld(hc, url)
		if err != nil {
			return err
		}
		ids[i], bases[i] = w.ID, w.URL
	}
	ctx, cancel = context.WithTimeout(context.Background(), d)
	rounds, err = worldload.Drive(ctx, hc, bases, true)
	cancel()
	if err != nil {
		return fmt.Errorf("isolation: %w", err)
	}
	for i, base := range bases {
		if err := worldload.Verify(hc, base, rounds[i]); err != nil {
			return fmt.Errorf("isolation: %w", err)
		}
		if err := worldload.DeleteWorld(hc, url, ids[i]); err != nil {
			return err
		}
	}
	worlds := float64(worldload.Sum(rounds)) / d.Seconds()
	fmt.Printf("%d clients each in its own world:   %8.1f rounds/s, every answer its own world's\n", clients, worlds)
	fmt.Printf("worlds / root: %.2fx\n", worlds/root)
	return nil
}
