package keyed

import "testing"

// A key's entry is the same however many others come after it (its lock
// orders that key's seedings), while only the last max values are held.
func TestCache_entriesStayValuesAreBounded(t *testing.T) {
	t.Parallel()
	c := New[int, string](2)
	first := c.Entry(0)
	v := "zero"
	c.Keep(first, &v)
	for k := 1; k <= 5; k++ {
		s := string(rune('a' + k))
		c.Keep(c.Entry(k), &s)
	}
	if c.Entry(0) != first {
		t.Fatal("a key's entry was made again after others came: two seedings of it could run at once")
	}
	if first.Load() != nil {
		t.Error("the oldest value is still held past the bound")
	}
	held := 0
	for k := 0; k <= 5; k++ {
		if c.Entry(k).Load() != nil {
			held++
		}
	}
	if held != 2 {
		t.Errorf("%d values held, want the bound, 2", held)
	}
	// Kept again, a key's value counts once; nil drops it.
	e := c.Entry(5)
	c.Keep(e, e.Load())
	c.Keep(e, e.Load())
	if c.Entry(4).Load() == nil {
		t.Error("keeping one value twice dropped another")
	}
	c.Keep(e, nil)
	if e.Load() != nil || len(c.held) != 1 {
		t.Errorf("a value kept as nil: %v, %d held", e.Load(), len(c.held))
	}
}
