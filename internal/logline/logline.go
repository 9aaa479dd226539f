// Package logline is the serve command's log handler: slog's text or JSON
// handler, with a fast path for the one line every request writes.
//
// slog builds that line through a Record, its attributes' Values, a pooled
// handle state and a check of every string for quoting: 16-28% of the
// mock's own work on a small read (issue 16). Request appends the same
// bytes directly, and leaves a line to slog whenever a value would need
// quoting or escaping or a number a form the fast path does not write, so
// every line is byte for byte what slog would have written (the tests
// compare the two).
//
// It is a leaf: it imports nothing of this module.
package logline

import (
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Handler is slog's text or JSON handler on a writer, with Request.
// Loggers derived from it (With, WithGroup) are plain slog handlers.
type Handler struct {
	slog.Handler
	json  bool
	level slog.Leveler
	out   io.Writer
	// batch is out when it takes a line appended in its own buffer
	// (Batch: the serve command's logwriter.Writer), else nil.
	batch Batch
}

// Batch is a writer whose lines are appended to a buffer of its own, in
// place (logwriter.Writer): Begin returns the buffer and holds the writer,
// End takes the buffer back with one whole line appended and releases it.
// Request formats its line there, without a pooled buffer of its own and
// the copy of the line into the writer's (issue 16).
type Batch interface {
	Begin() []byte
	End([]byte)
}

// New is the handler for format ("json", anything else is text) on w,
// which must take concurrent Writes of whole lines (logwriter.Writer
// does): Request writes without slog's lock. When w is a Batch, Request
// appends its line in w's own buffer.
func New(format string, w io.Writer, opts *slog.HandlerOptions) *Handler {
	h := &Handler{json: format == "json", level: opts.Level, out: w}
	h.batch, _ = w.(Batch)
	if h.level == nil {
		h.level = slog.LevelInfo
	}
	if h.json {
		h.Handler = slog.NewJSONHandler(w, opts)
	} else {
		h.Handler = slog.NewTextHandler(w, opts)
	}
	return h
}

// bufs holds line buffers between requests.
var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// RequestLine is what a request's log line says.
type RequestLine struct {
	End        time.Time // the line's time
	API        string
	Method     string
	Path       string
	Status     int
	DurationMS float64
	Fault      string // left out when ""
}

// Request writes l at level Info as the handler would write a record with
// message "request" and the attributes api, method, path, status,
// duration_ms and, when set, fault. It reports false, writing nothing,
// when the fast path does not apply: the caller then logs l through slog.
// A level that leaves Info out reports true and writes nothing.
func (h *Handler) Request(l *RequestLine) bool {
	if slog.LevelInfo < h.level.Level() {
		return true
	}
	if !plain(l.API) || !plain(l.Method) || !plain(l.Path) || (l.Fault != "" && !plain(l.Fault)) || l.End.IsZero() {
		return false
	}
	st := stampOf(l.End) // looked up once: the check here, the text line's time below
	if !st.fits {
		return false
	}
	if abs := math.Abs(l.DurationMS); h.json && abs != 0 && (abs < 1e-6 || abs >= 1e21) || math.IsNaN(l.DurationMS) || math.IsInf(l.DurationMS, 0) {
		return false
	}
	if h.batch != nil {
		h.batch.End(h.appendLine(h.batch.Begin(), l, st))
		return true
	}
	bp := bufs.Get().(*[]byte)
	b := h.appendLine((*bp)[:0], l, st)
	_, _ = h.out.Write(b)
	*bp = b
	bufs.Put(bp)
	return true
}

// appendLine is l's line in the handler's format, st the stamp of l.End.
func (h *Handler) appendLine(b []byte, l *RequestLine, st *stamp) []byte {
	if h.json {
		return h.appendJSON(b, l)
	}
	return h.appendText(b, l, st)
}

// fourDigitYear reports whether t's year is within 0..9999, the years the
// fast path formats in a fixed width. Year works out the whole date, so it
// is asked once a second (stampOf), not of every line (issue 16).
func fourDigitYear(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y < 10000
}

// appendText is slog.TextHandler's line for l, st the stamp of l.End.
func (h *Handler) appendText(b []byte, l *RequestLine, st *stamp) []byte {
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, st, l.End)
	b = append(b, " level=INFO msg=request api="...)
	b = append(b, l.API...)
	b = append(append(b, " method="...), l.Method...)
	b = append(append(b, " path="...), l.Path...)
	b = strconv.AppendInt(append(b, " status="...), int64(l.Status), 10)
	b = appendMillis(append(b, " duration_ms="...), l.DurationMS, 'g')
	if l.Fault != "" {
		b = append(append(b, " fault="...), l.Fault...)
	}
	return append(b, '\n')
}

// appendMillis is strconv.AppendFloat(b, ms, format, -1, 64), format 'g'
// (slog's text) or 'f' (its JSON), for a duration in milliseconds. A
// request's is a whole number of microseconds over 1000 (durationMS), and
// under 1e6 ms both formats write it as its integer part and up to three
// decimals without trailing zeros, which is appended here from the
// integer, without the shortest-float search (issue 16). Any other value
// goes to strconv.
func appendMillis(b []byte, ms float64, format byte) []byte {
	us := int64(math.Round(ms * 1000))
	if us < 0 || us >= 1e9 || float64(us)/1000 != ms || math.Signbit(ms) {
		return strconv.AppendFloat(b, ms, format, -1, 64)
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	if frac == 0 {
		return b
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	return append(append(b, '.'), digits[:n]...)
}

// appendJSON is slog.JSONHandler's line for l.
func (h *Handler) appendJSON(b []byte, l *RequestLine) []byte {
	b = append(b, `{"time":"`...)
	b = l.End.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","api":"`...)
	b = append(b, l.API...)
	b = append(append(b, `","method":"`...), l.Method...)
	b = append(append(b, `","path":"`...), l.Path...)
	b = strconv.AppendInt(append(b, `","status":`...), int64(l.Status), 10)
	b = appendMillis(append(b, `,"duration_ms":`...), l.DurationMS, 'f')
	if l.Fault != "" {
		b = append(append(append(b, `,"fault":"`...), l.Fault...), '"')
	}
	return append(b, "}\n"...)
}

// appendRFC3339Millis is slog's text form of a time: RFC 3339 with
// exactly three digits of milliseconds, truncated. All but the
// milliseconds are the same for every line of a second, so they are
// formatted once a second (and zone) and kept (lastStamp): formatting the
// whole time was a third of the line's cost (issue 16). t's year is
// within 0..9999 (Request checks), so the date and clock are a fixed 20
// bytes. s is t's stamp (stampOf), which Request has already looked up.
func appendRFC3339Millis(b []byte, s *stamp, t time.Time) []byte {
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, s.head...)
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...)
}

// stamp is one second's text time in one zone, without its milliseconds:
// head is "2006-01-02T15:04:05.", zone "Z" or "-07:00". A zone's offset
// only changes on a whole second, and so does the year: fits is
// fourDigitYear of the second, which Request asks of every line (working
// out the year was 2% of a small read in process, issue 16), and head and
// zone are made only when it holds.
type stamp struct {
	sec        int64
	loc        *time.Location
	fits       bool
	head, zone []byte
}

// stampOf is the stamp of t's second, the last one's when t is of the
// same second and zone.
func stampOf(t time.Time) *stamp {
	sec, loc := t.Unix(), t.Location()
	s := lastStamp.Load()
	if s == nil || s.sec != sec || s.loc != loc {
		s = newStamp(t, sec, loc)
		lastStamp.Store(s)
	}
	return s
}

// lastStamp is the stamp of the last line's second; lines of one second
// share it, a new second (or zone) replaces it. It is never changed once
// stored.
var lastStamp atomic.Pointer[stamp]

// newStamp is the stamp of t's second, cut from slogMillis's whole text.
func newStamp(t time.Time, sec int64, loc *time.Location) *stamp {
	const headLen = len("2006-01-02T15:04:05.")
	if !fourDigitYear(t) {
		return &stamp{sec: sec, loc: loc}
	}
	full := slogMillis(nil, t)
	return &stamp{sec: sec, loc: loc, fits: true, head: full[:headLen], zone: full[headLen+3:]}
}

// slogMillis is slog's own appendRFC3339Millis: the time formatted as
// RFC3339Nano, a tenth of a millisecond added to the truncated time so
// that there are four digits of fraction, the fourth dropped.
func slogMillis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the 4th digit
}

// plain reports whether s is written as it is by both handlers: not
// empty, printable ASCII with nothing either would quote or escape (a
// space, '=', quotes, a backslash, and <, > and & to be safe). Anything
// else goes through slog.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '=' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
