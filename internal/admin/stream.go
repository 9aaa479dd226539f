package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/journal"
)

// streamParams are GET /__admin/requests/stream's parameters: the journal
// filter's, and how many held entries to send before the live ones.
var streamParams = append(slices.Clip(filterParams), "backlog")

// MaxBacklog bounds the held entries a stream sends first: the console
// shows a window of the newest, not the whole journal.
const MaxBacklog = 1000

// Heartbeat is how often an idle stream sends a comment line, so a proxy
// keeps the connection and a dead one is found.
const Heartbeat = 15 * time.Second

// StreamWriteTimeout cuts off a browser that has not taken a write in this
// long; the console (or an EventSource) reconnects with Last-Event-ID.
const StreamWriteTimeout = 10 * time.Second

// stream is GET /__admin/requests/stream: the journal as Server-Sent Events
// for the web console (SPEC §11). It sends the newest backlog (default 100)
// held entries that pass the filter, oldest first, then each new one as it
// is recorded (in batches, every StreamFlush): "event: request" with the
// entry as data and its id as the event id. A reconnecting EventSource's Last-Event-ID (or since) resumes
// after that entry. A reader too slow for the traffic loses entries rather
// than slowing requests down (journal.Subscription): it gets
// "event: dropped" with {"dropped": N}; under heavy traffic a stream
// sends at most StreamBatch entries per flush, the newest, and counts the
// rest as dropped too.
// The stream ends when the client goes, or the server or world shuts down.
func (h handlers) stream(c echo.Context) error {
	f, err := h.filter(c, streamParams)
	if err != nil {
		return err
	}
	backlog, err := backlogParam(c)
	if err != nil {
		return err
	}
	if last := c.Request().Header.Get("Last-Event-ID"); last != "" {
		if id, perr := strconv.ParseUint(last, 10, 64); perr == nil {
			f.Since, backlog = id, MaxBacklog
		}
	}
	// Subscribe before listing what is held, so nothing recorded in
	// between is lost; the ids tell the overlap apart.
	sub := h.Journal.Subscribe(f)
	defer sub.Close()
	held := h.Journal.List(f)
	held = held[max(0, len(held)-backlog):]

	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	res.Header().Set(echo.HeaderCacheControl, "no-store")
	res.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	res.WriteHeader(http.StatusOK)
	s := &sse{rc: http.NewResponseController(res), w: res}
	// The connection may serve another request after the stream ends.
	defer func() { _ = s.rc.SetWriteDeadline(time.Time{}) }()
	if err := s.comment("mockserver journal stream"); err != nil {
		return nil
	}
	var last uint64
	var buf []byte
	for i := range held {
		buf = appendEntry(buf, &held[i])
		last = held[i].ID
	}
	if len(buf) > 0 {
		if err := s.write(buf); err != nil {
			return nil
		}
	}
	return s.live(c, h.Journal, sub, last)
}

// backlogParam reads ?backlog=, 0..MaxBacklog, default 100.
func backlogParam(c echo.Context) (int, error) {
	s := c.QueryParam("backlog")
	if s == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxBacklog {
		return 0, api.Controlf(http.StatusBadRequest, "backlog must be an integer from 0 to %d, got %q", MaxBacklog, s)
	}
	return n, nil
}

// sse writes Server-Sent Events, each flushed at once and given
// StreamWriteTimeout to leave.
type sse struct {
	rc *http.ResponseController
	w  http.ResponseWriter
}

// StreamFlush is how often a stream writes what has arrived: one write of
// every entry since the last, rather than a write, a flush and a wake-up
// per request, which at thousands of requests a second would cost the
// server's core as much as the requests themselves. A console sees a
// request within this much of its answer.
const StreamFlush = 50 * time.Millisecond

// StreamBatch is the most entries one flush sends (500 a second): under
// heavier traffic a stream sends the newest and reports the rest as
// dropped, so a console costs the server a bounded amount of encoding
// however busy the APIs are. The journal still holds them all.
const StreamBatch = 25

// live sends the subscription's entries after last, in batches every
// StreamFlush, until the client goes or the journal is interrupted. It
// tells the client of the entries it dropped before the ones it sends.
func (s *sse) live(c echo.Context, j *journal.Journal, sub *journal.Subscription, last uint64) error {
	tick := time.NewTicker(StreamFlush)
	defer tick.Stop()
	ctx := c.Request().Context()
	idle := time.Duration(0)
	var buf []byte
	var batch []journal.Entry
	for {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil
		case <-j.Done():
			return nil
		}
		batch = batch[:0]
	drain:
		for {
			select {
			case e := <-sub.C:
				if e.ID > last { // else already sent from what was held
					batch = append(batch, e)
				}
			default:
				break drain
			}
		}
		// Coalesce: past StreamBatch entries in one flush nobody reads them
		// as they pass; the newest are sent, the rest counted as dropped.
		dropped := sub.TakeDropped()
		if over := len(batch) - StreamBatch; over > 0 {
			dropped += over
			batch = batch[over:]
		}
		buf = buf[:0]
		if dropped > 0 {
			buf = appendEvent(buf, "dropped", "", fmt.Appendf(nil, `{"dropped":%d}`, dropped))
		}
		for i := range batch {
			buf = appendEntry(buf, &batch[i])
		}
		clear(batch) // let the entries' bodies go with the ring
		if idle += StreamFlush; len(buf) == 0 && idle >= Heartbeat {
			buf = append(buf, ": ping\n\n"...)
		}
		if len(buf) == 0 {
			continue
		}
		idle = 0
		if err := s.write(buf); err != nil {
			return nil // the client is gone or stalled; nothing to answer
		}
	}
}

// appendEntry appends one journal entry as a "request" event.
func appendEntry(buf []byte, e *journal.Entry) []byte {
	data, err := json.Marshal(e)
	if err != nil {
		return buf // an Entry always marshals
	}
	return appendEvent(buf, "request", strconv.FormatUint(e.ID, 10), data)
}

// appendEvent appends one event: JSON data never holds a raw newline, so it
// is one data line.
func appendEvent(buf []byte, name, id string, data []byte) []byte {
	buf = append(buf, "event: "...)
	buf = append(buf, name...)
	if id != "" {
		buf = append(buf, "\nid: "...)
		buf = append(buf, id...)
	}
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	return append(buf, "\n\n"...)
}

// comment writes an SSE comment line, which EventSource ignores.
func (s *sse) comment(text string) error { return s.write([]byte(": " + text + "\n\n")) }

// write sends b and flushes it, within StreamWriteTimeout.
func (s *sse) write(b []byte) error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	return s.rc.Flush()
}
