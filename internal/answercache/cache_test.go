package answercache

import "testing"

// op is one step of a table test: a Put (put true) or a Get and what it
// must give.
type op struct {
	put     bool
	changed bool // bump the version before this step
	key     string
	version uint64
	val     string
	want    string
	hit     bool
	wantLen int // after the step; -1: not checked
}

func TestCache(t *testing.T) {
	tests := []struct {
		name                 string
		maxEntries, maxBytes int
		ops                  []op
	}{
		{name: "a put is got under its version", ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{key: "a", want: "1", hit: true, wantLen: 1},
			{key: "b", wantLen: 1},
		}},
		{name: "not under another version", ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{key: "a", version: 1, wantLen: 1},
		}},
		{name: "a newer put starts over", ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{put: true, key: "b", version: 1, val: "2", wantLen: 1},
			{key: "a", version: 1, wantLen: 1},
			{key: "b", version: 1, want: "2", hit: true, wantLen: 1},
			{key: "a", version: 0, wantLen: 1},
		}},
		{name: "an older put is dropped", ops: []op{
			{put: true, key: "a", version: 2, val: "1", wantLen: 1},
			{put: true, key: "b", version: 1, val: "2", wantLen: 1},
			{key: "b", version: 1, wantLen: 1},
			{key: "a", version: 2, want: "1", hit: true, wantLen: 1},
		}},
		{name: "a put replaces", ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{put: true, key: "a", val: "22", wantLen: 1},
			{key: "a", want: "22", hit: true, wantLen: 1},
		}},
		{name: "full in entries starts over", maxEntries: 2, ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{put: true, key: "b", val: "2", wantLen: 2},
			{put: true, key: "b", val: "3", wantLen: 2}, // a replacement is not a new entry
			{put: true, key: "c", val: "4", wantLen: 1},
			{key: "a", wantLen: 1},
			{key: "c", want: "4", hit: true, wantLen: 1},
		}},
		{name: "full in bytes starts over", maxBytes: 4, ops: []op{
			{put: true, key: "a", val: "12", wantLen: 1},
			{put: true, key: "b", val: "34", wantLen: 2},
			{put: true, key: "a", val: "56", wantLen: 2}, // replaces: still 4 bytes
			{put: true, key: "c", val: "7", wantLen: 1},
			{key: "b", wantLen: 1},
			{key: "c", want: "7", hit: true, wantLen: 1},
			{put: true, key: "d", val: "too long", wantLen: 1}, // kept alone
			{key: "d", want: "too long", hit: true, wantLen: 1},
		}},
		{name: "Changed moves Version on", ops: []op{
			{put: true, key: "a", val: "1", wantLen: 1},
			{changed: true, key: "a", version: 1, wantLen: 1},
			{put: true, key: "a", version: 1, val: "2", wantLen: 1},
			{key: "a", version: 1, want: "2", hit: true, wantLen: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string, string](tt.maxEntries, tt.maxBytes, func(s string) int { return len(s) })
			for i, o := range tt.ops {
				if o.changed {
					c.Changed()
					if c.Version() != o.version {
						t.Fatalf("step %d: Version %d, want %d", i, c.Version(), o.version)
					}
				}
				if o.put {
					c.Put(o.key, o.version, o.val)
				} else if got, hit := c.Get(o.key, o.version); got != o.want || hit != o.hit {
					t.Fatalf("step %d: Get(%q, %d) = %q, %v; want %q, %v", i, o.key, o.version, got, hit, o.want, o.hit)
				}
				if o.wantLen >= 0 && c.Len() != o.wantLen {
					t.Fatalf("step %d: Len %d, want %d", i, c.Len(), o.wantLen)
				}
			}
		})
	}
}

func TestBytesWithoutSize(t *testing.T) {
	c := New[int, []byte](0, 0, nil)
	c.Put(1, 0, []byte("x"))
	if b, ok := c.Get(1, 0); !ok || string(b) != "x" {
		t.Fatalf("Get = %q, %v", b, ok)
	}
	if Bytes([]byte("abc")) != 3 {
		t.Fatal("Bytes")
	}
}

// TestReset: Reset drops the values and the version they belong to, so a
// Put under a version below the old one (another cache's, started again)
// is kept; Size counts the bytes kept.
func TestReset(t *testing.T) {
	c := New[string, []byte](0, 0, Bytes)
	c.Put("a", 7, []byte("abc"))
	if c.Size() != 3 {
		t.Fatalf("Size %d, want 3", c.Size())
	}
	c.Reset()
	if _, ok := c.Get("a", 7); ok || c.Len() != 0 || c.Size() != 0 {
		t.Fatal("a value survived Reset")
	}
	c.Put("b", 0, []byte("x"))
	if v, ok := c.Get("b", 0); !ok || string(v) != "x" {
		t.Fatal("after Reset, a Put under version 0 was dropped")
	}
}
