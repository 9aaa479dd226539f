package logwriter_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/logwriter"
)

// lockedBuffer is the destination: writes from the writer's goroutine,
// read after Flush.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWriter_orderAndFlush: lines from one writer come out whole and in
// order, every one of them once Flush returns.
func TestWriter_orderAndFlush(t *testing.T) {
	out := &lockedBuffer{}
	w := logwriter.New(out)
	var want strings.Builder
	for i := range 1000 {
		line := fmt.Sprintf("line %d\n", i)
		want.WriteString(line)
		if n, err := io.WriteString(w, line); n != len(line) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	w.Flush()
	if got := out.String(); got != want.String() {
		t.Fatalf("got %d bytes, want %d:\n%.200s", len(got), want.Len(), got)
	}
}

// TestWriter_concurrentLinesWhole: lines written at once by many
// goroutines, half of them with Write and half appended in place (Begin,
// End, as logline's request line is), are never cut into each other, and
// none is lost.
func TestWriter_concurrentLinesWhole(t *testing.T) {
	out := &lockedBuffer{}
	w := logwriter.New(out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if g%2 == 0 {
					fmt.Fprintf(w, "goroutine=%d line=%d %s\n", g, i, strings.Repeat("x", 100))
				} else {
					w.End(fmt.Appendf(w.Begin(), "goroutine=%d line=%d %s\n", g, i, strings.Repeat("x", 100)))
				}
			}
		})
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*200 {
		t.Fatalf("%d lines, want %d", len(lines), 8*200)
	}
	next := map[string]int{}
	for _, l := range lines {
		var g, i int
		if _, err := fmt.Sscanf(l, "goroutine=%d line=%d", &g, &i); err != nil || !strings.HasSuffix(l, " "+strings.Repeat("x", 100)) {
			t.Fatalf("cut line %q", l)
		}
		key := fmt.Sprint(g)
		if i != next[key] {
			t.Fatalf("goroutine %d: line %d after %d", g, i, next[key]-1)
		}
		next[key] = i + 1
	}
}

// blocked is a destination that holds every write until released.
type blocked struct {
	release chan struct{}
	lockedBuffer
}

func (b *blocked) Write(p []byte) (int, error) {
	<-b.release
	return b.lockedBuffer.Write(p)
}

// TestWriter_batchesBehindASlowWrite: lines written while a write is in
// progress (with Write or appended in place) go out together in the next
// one, not one write each.
func TestWriter_batchesBehindASlowWrite(t *testing.T) {
	out := &blocked{release: make(chan struct{})}
	w := logwriter.New(out)
	fmt.Fprintf(w, "first\n") // its write now waits for release
	for i := range 100 {
		if i%2 == 0 {
			fmt.Fprintf(w, "queued %d\n", i)
		} else {
			w.End(fmt.Appendf(w.Begin(), "queued %d\n", i))
		}
	}
	close(out.release)
	w.Flush()
	if !strings.HasPrefix(out.String(), "first\nqueued 0\n") || !strings.HasSuffix(out.String(), "queued 99\n") {
		t.Fatalf("%q", out.String())
	}
	if out.writes > 2 {
		// "first" may have been taken alone or with some queued lines; the
		// hundred queued lines wait behind it and go out in one write.
		t.Fatalf("%d writes for 101 lines written behind a slow write", out.writes)
	}
}

// TestWriter_requestLinesWait: a request line (End) arms the timer and
// starts no write; more request lines within the delay join it; the next
// other line (Write) starts the write at once, and all of them go out
// in one write, in order.
func TestWriter_requestLinesWait(t *testing.T) {
	out := &lockedBuffer{}
	w := logwriter.NewDelay(out, time.Hour)
	for i := range 100 {
		w.End(fmt.Appendf(w.Begin(), "request %d\n", i))
		if armed, writing := w.State(); !armed || writing {
			t.Fatalf("after request line %d: armed %v, writing %v; want armed, not writing", i, armed, writing)
		}
	}
	fmt.Fprintf(w, "warning\n")
	if armed, _ := w.State(); armed {
		t.Fatal("a Write left the timer armed")
	}
	w.Flush()
	if got := out.String(); !strings.HasPrefix(got, "request 0\nrequest 1\n") || !strings.HasSuffix(got, "request 99\nwarning\n") {
		t.Fatalf("%q", got)
	}
	if out.writes != 1 {
		t.Fatalf("%d writes, want 1", out.writes)
	}
}

// TestWriter_flushDoesNotWaitForTheDelay: Flush writes the request lines
// at once (an hour's delay would time the test out).
func TestWriter_flushDoesNotWaitForTheDelay(t *testing.T) {
	out := &lockedBuffer{}
	w := logwriter.NewDelay(out, time.Hour)
	w.End(append(w.Begin(), "request\n"...))
	w.Flush()
	if got := out.String(); got != "request\n" {
		t.Fatalf("%q", got)
	}
	if armed, writing := w.State(); armed || writing {
		t.Fatalf("after Flush: armed %v, writing %v", armed, writing)
	}
}

// notifying is a destination that closes wrote on its first write.
type notifying struct {
	lockedBuffer
	once  sync.Once
	wrote chan struct{}
}

func (n *notifying) Write(p []byte) (int, error) {
	defer n.once.Do(func() { close(n.wrote) })
	return n.lockedBuffer.Write(p)
}

// TestWriter_requestLinesWrittenAfterTheDelay: with nothing else written
// and no Flush, the timer writes the request lines.
func TestWriter_requestLinesWrittenAfterTheDelay(t *testing.T) {
	out := &notifying{wrote: make(chan struct{})}
	w := logwriter.NewDelay(out, time.Microsecond)
	w.End(append(w.Begin(), "request\n"...))
	<-out.wrote // never closed if the timer never starts the writer
	if got := out.String(); got != "request\n" {
		t.Fatalf("%q", got)
	}
}

// TestWriter_fullBatchDoesNotWait: request lines that reach FullBatch
// start the write without the delay (an hour here): the test ends.
func TestWriter_fullBatchDoesNotWait(t *testing.T) {
	out := &notifying{wrote: make(chan struct{})}
	w := logwriter.NewDelay(out, time.Hour)
	line := strings.Repeat("x", 99) + "\n"
	for range logwriter.FullBatch / len(line) {
		w.End(append(w.Begin(), line...))
	}
	if armed, writing := w.State(); !armed || writing {
		t.Fatalf("below FullBatch: armed %v, writing %v; want armed, not writing", armed, writing)
	}
	w.End(append(w.Begin(), line...))
	<-out.wrote // never closed if a full batch waits for the hour
	w.Flush()
	if got := out.String(); len(got) != (logwriter.FullBatch/len(line)+1)*len(line) {
		t.Fatalf("%d bytes written", len(got))
	}
}
