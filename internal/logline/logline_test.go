package logline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"testing"
	"time"
)

// TestRequest_asSlog: the fast path writes byte for byte the line slog's
// handler writes for the same record, in both formats, or declines.
func TestRequest_asSlog(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	end := time.Date(2026, 11, 30, 20, 11, 35, 123456789, time.UTC)
	lines := []struct {
		name     string
		l        RequestLine
		fastText bool
		fastJSON bool
	}{
		{"plain", RequestLine{End: end, API: "carreta", Method: "GET", Path: "/v1/search/", Status: 200, DurationMS: 0.123}, true, true},
		{"zone and whole ms", RequestLine{End: end.In(msk).Truncate(time.Millisecond), API: "amapi", Method: "POST", Path: "/api/test", Status: 401, DurationMS: 12}, true, true},
		{"zero ms and no nanos", RequestLine{End: end.Truncate(time.Second), API: "saplab", Method: "GET", Path: "/panel/order", Status: 200, DurationMS: 0}, true, true},
		{"fault", RequestLine{End: end, API: "carreta", Method: "GET", Path: "/v1/order/", Status: 503, DurationMS: 1.5, Fault: "r1"}, true, true},
		{"large duration", RequestLine{End: end, API: "carreta", Method: "GET", Path: "/v1/order/", Status: 200, DurationMS: 12345678.9}, true, true},
		{"tiny duration", RequestLine{End: end, API: "a", Method: "GET", Path: "/", Status: 200, DurationMS: 1e-7}, true, false},
		{"no api", RequestLine{End: end, API: "", Method: "GET", Path: "/x", Status: 404, DurationMS: 0.001}, false, false},
		{"space in path", RequestLine{End: end, API: "amapi", Method: "GET", Path: "/a b", Status: 404, DurationMS: 0.001}, false, false},
		{"quote in path", RequestLine{End: end, API: "amapi", Method: "GET", Path: `/a"b`, Status: 404, DurationMS: 0.001}, false, false},
		{"equals in path", RequestLine{End: end, API: "amapi", Method: "GET", Path: "/a=b", Status: 404, DurationMS: 0.001}, false, false},
		{"unicode in path", RequestLine{End: end, API: "amapi", Method: "GET", Path: "/заказ", Status: 404, DurationMS: 0.001}, false, false},
		{"html in path", RequestLine{End: end, API: "amapi", Method: "GET", Path: "/<a>&", Status: 404, DurationMS: 0.001}, false, false},
	}
	for _, format := range []string{"text", "json"} {
		for _, tt := range lines {
			for _, batched := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/batch=%v", format, tt.name, batched), func(t *testing.T) {
					var fast, want bytes.Buffer
					var out io.Writer = &fast
					if batched {
						out = &batch{buf: &fast}
					}
					h := New(format, out, &slog.HandlerOptions{Level: slog.LevelInfo})
					if (h.batch != nil) != batched {
						t.Fatalf("batch %v, want %v", h.batch != nil, batched)
					}
					ok := h.Request(&tt.l)
					if wantFast := map[string]bool{"text": tt.fastText, "json": tt.fastJSON}[format]; ok != wantFast {
						t.Fatalf("fast path %v, want %v", ok, wantFast)
					}
					if !ok {
						if fast.Len() != 0 {
							t.Fatalf("declined but wrote %q", fast.String())
						}
						return
					}
					ref := New(format, &want, &slog.HandlerOptions{Level: slog.LevelInfo})
					_ = ref.Handle(context.Background(), record(&tt.l))
					if fast.String() != want.String() {
						t.Fatalf("fast path wrote\n%s\nslog writes\n%s", fast.String(), want.String())
					}
					if b, ok := out.(*batch); ok && (b.lines != 1 || b.open) {
						t.Fatalf("%d lines appended in the batch (open %v), want 1 and closed", b.lines, b.open)
					}
				})
			}
		}
	}
}

// batch is a Batch over a buffer, as logwriter.Writer is over its batch:
// a line appended in place between Begin and End, counted (a fast line
// written with Write instead is not), and a Begin without its End caught.
type batch struct {
	buf   *bytes.Buffer
	open  bool
	lines int
}

func (b *batch) Begin() []byte {
	if b.open {
		panic("Begin twice")
	}
	b.open = true
	return b.buf.Bytes()
}

func (b *batch) End(p []byte) {
	if !b.open {
		panic("End without Begin")
	}
	b.open = false
	b.lines++
	b.buf.Reset()
	b.buf.Write(p)
}

// Write is how slog's own lines arrive.
func (b *batch) Write(p []byte) (int, error) { return b.buf.Write(p) }

// record is the slog record the server logs for l.
func record(l *RequestLine) slog.Record {
	rec := slog.NewRecord(l.End, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("api", l.API), slog.String("method", l.Method), slog.String("path", l.Path),
		slog.Int("status", l.Status), slog.Float64("duration_ms", l.DurationMS))
	if l.Fault != "" {
		rec.AddAttrs(slog.String("fault", l.Fault))
	}
	return rec
}

// TestRequest_level: a level above Info writes no request line and needs
// no slog either.
func TestRequest_level(t *testing.T) {
	var out bytes.Buffer
	h := New("text", &out, &slog.HandlerOptions{Level: slog.LevelWarn})
	l := RequestLine{End: time.Unix(0, 0), API: "a", Method: "GET", Path: "/", Status: 200}
	if !h.Request(&l) || out.Len() != 0 {
		t.Fatalf("Request at warn: wrote %q", out.String())
	}
	if New("text", &out, &slog.HandlerOptions{}).level.Level() != slog.LevelInfo {
		t.Fatal("no level is Info")
	}
}

// TestAppendRFC3339Millis_asSlog: the time kept a second at a time is
// slog's text time for any instant and zone: milliseconds of one second,
// seconds in turn, a zone with seconds in its offset, and a zone change
// within one second.
func TestAppendRFC3339Millis_asSlog(t *testing.T) {
	lmt := time.FixedZone("LMT", 2*3600+30*60+17)
	zones := []*time.Location{time.UTC, time.FixedZone("MSK", 3*3600), lmt, time.FixedZone("W", -9*3600-30*60), time.Local}
	base := time.Date(2026, 12, 1, 5, 56, 44, 0, time.UTC)
	var times []time.Time
	for _, d := range []time.Duration{0, 1, time.Millisecond - 1, time.Millisecond, 999 * time.Millisecond, 999999999,
		time.Second, time.Second + 123456789, -1, -time.Millisecond, 59 * time.Minute, 400 * 24 * time.Hour} {
		for _, z := range zones {
			times = append(times, base.Add(d).In(z))
		}
	}
	times = append(times, time.Date(0, 1, 1, 0, 0, 0, 5e6, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 500e6, time.UTC), time.Now())
	for _, tm := range times {
		if got, want := string(appendRFC3339Millis([]byte("x="), stampOf(tm), tm)), string(slogMillis([]byte("x="), tm)); got != want {
			t.Errorf("%v: %s, want %s", tm, got, want)
		}
	}
}

// TestFourDigitYear: the years the fast path formats, at both ends, and
// the stamp of a second says the same, in each zone.
func TestFourDigitYear(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC), true},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), true},
		{time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC).In(time.FixedZone("MSK", 3*60*60)), false}, // the same second, year 10000 there
		{time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), true},
	} {
		if got := fourDigitYear(tc.t); got != tc.want {
			t.Errorf("fourDigitYear(%v) = %v, want %v", tc.t, got, tc.want)
		}
		if got := stampOf(tc.t).fits; got != tc.want { // Request's test, kept a second
			t.Errorf("stampOf(%v).fits = %v, want %v", tc.t, got, tc.want)
		}
	}
}

// TestAppendMillis: appendMillis writes what strconv.AppendFloat writes,
// in both formats, for every whole number of microseconds up to 100 ms
// and a stride of them up to 1e6 ms,
// around the fast path's bounds, and for values it leaves to strconv.
func TestAppendMillis(t *testing.T) {
	check := func(ms float64) {
		t.Helper()
		for _, format := range []byte{'g', 'f'} {
			if got, want := string(appendMillis(nil, ms, format)), strconv.FormatFloat(ms, format, -1, 64); got != want {
				t.Fatalf("appendMillis(%v, %q) = %q, want %q", ms, format, got, want)
			}
		}
	}
	for us := int64(0); us <= 100_000; us++ {
		check(float64(us) / 1000)
	}
	for us := int64(100_000); us < 1e9; us += 9_973 {
		check(float64(us) / 1000)
	}
	for _, us := range []int64{999_999_000, 999_999_999, 1_000_000_000, 1_000_000_001, 123_456_789_012, 1 << 53} {
		check(float64(us) / 1000)
	}
	for _, ms := range []float64{-0.001, -1, 0.0005, 1.5e-7, 1e21, 2.0000001, math.Copysign(0, -1), math.MaxFloat64} {
		check(ms)
	}
}

// BenchmarkAppendMillis: a request's duration_ms, by appendMillis and by
// strconv as before.
func BenchmarkAppendMillis(b *testing.B) {
	buf := make([]byte, 0, 32)
	for _, f := range []struct {
		name string
		fn   func([]byte, float64) []byte
	}{
		{"appendMillis", func(b []byte, ms float64) []byte { return appendMillis(b, ms, 'g') }},
		{"strconv", func(b []byte, ms float64) []byte { return strconv.AppendFloat(b, ms, 'g', -1, 64) }},
	} {
		b.Run(f.name, func(b *testing.B) {
			for i := range b.N {
				buf = f.fn(buf[:0], float64(40+i%2000)/1000)
			}
		})
	}
}

// FuzzRequest_asSlog: for any duration and any end time, the fast path
// writes byte for byte what slog's handler writes for the same record, in
// both formats, or declines and writes nothing (issue 16's duration_ms
// and year checks included: negative, zero, huge, sub-microsecond, NaN,
// years outside 0..9999).
func FuzzRequest_asSlog(f *testing.F) {
	for _, ms := range []float64{0, 0.001, 0.123, 1.5, 12, 999_999.999, 1e6, 12345678.9, 1e-7, 0.0005, -0.001, -1, 1e21, 1e300, math.Copysign(0, -1), math.NaN(), math.Inf(1)} {
		f.Add(ms, int64(1796069495), int64(123456789), int32(3*3600))
	}
	f.Add(0.5, int64(-62135596800), int64(0), int32(0))         // year 1
	f.Add(0.5, int64(253402300799), int64(999), int32(14*3600)) // year 9999 in UTC, 10000 at +14
	f.Add(0.5, int64(-62135596800-86400), int64(0), int32(-60)) // year 0
	f.Add(0.5, int64(-62135596800-86400*400), int64(1), int32(0))
	f.Fuzz(func(t *testing.T, ms float64, sec, nsec int64, offset int32) {
		l := RequestLine{End: time.Unix(sec, nsec%1e9).In(time.FixedZone("Z", int(offset%(18*3600)))),
			API: "carreta", Method: "GET", Path: "/v1/search/", Status: 200, DurationMS: ms}
		for _, format := range []string{"text", "json"} {
			var fast, want bytes.Buffer
			if !New(format, &fast, &slog.HandlerOptions{Level: slog.LevelInfo}).Request(&l) {
				if fast.Len() != 0 {
					t.Fatalf("%s: declined but wrote %q", format, fast.String())
				}
				continue
			}
			_ = New(format, &want, &slog.HandlerOptions{Level: slog.LevelInfo}).Handle(context.Background(), record(&l))
			if fast.String() != want.String() {
				t.Fatalf("%s: fast path wrote\n%s\nslog writes\n%s", format, fast.String(), want.String())
			}
		}
	})
}
