package carreta

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
)

// TestHistoryEncoder: the hand-written encoder of history entries writes
// exactly what json.Marshal writes, so an appended history reads the same
// whichever wrote it.
func TestHistoryEncoder(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 30, 15, 123456789, clock.Moscow)
	h := []historyEntry{
		{Comment: `Статус изменен с "Получен в заказ" на "В работе"`, Created: at},
		{Comment: "<b>&\u2028\\\n\t", Created: at.UTC().Add(time.Hour)},
		{Comment: "", Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3*3600))},
		{Comment: `Статус изменен с "Получен в заказ" на "В работе"`, Created: at.Add(time.Microsecond)},
	}
	var enc historyEncoder
	for n := 1; n <= len(h); n++ {
		got, err := enc.encode(h[:n])
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(h[:n])
		if !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}
