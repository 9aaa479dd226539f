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
var Heartbeat = 15 * time.Second

// StreamWriteTimeout cuts off a browser that has not taken one event in
// this long; EventSource reconnects on its own with Last-Event-ID.
var StreamWriteTimeout = 10 * time.Second

// stream is GET /__admin/requests/stream: the journal as Server-Sent Events
// for the web console (SPEC §11). It sends the newest backlog (default 100)
// held entries that pass the filter, oldest first, then each new one as it
// is recorded: "event: request" with the entry as data and its id as the
// event id. A reconnecting EventSource's Last-Event-ID (or since) resumes
// after that entry. A reader too slow for the traffic loses entries rather
// than slowing requests down (journal.Subscription): it gets
// "event: dropped" with {"dropped": N} before the next entry it does get.
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
	if err := s.comment("mockserver journal stream"); err != nil {
		return nil
	}
	var last uint64
	for i := range held {
		if err := s.entry(&held[i]); err != nil {
			return nil
		}
		last = held[i].ID
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

// live sends the subscription's entries after last until the client goes
// or the journal is interrupted, telling the client of any it dropped.
func (s *sse) live(c echo.Context, j *journal.Journal, sub *journal.Subscription, last uint64) error {
	beat := time.NewTicker(Heartbeat)
	defer beat.Stop()
	ctx := c.Request().Context()
	for {
		var err error
		select {
		case e := <-sub.C:
			if e.ID <= last {
				continue // already sent from what was held
			}
			if n := sub.TakeDropped(); n > 0 {
				err = s.event("dropped", "", fmt.Appendf(nil, `{"dropped":%d}`, n))
			}
			if err == nil {
				err = s.entry(&e)
			}
		case <-beat.C:
			err = s.comment("ping")
		case <-ctx.Done():
			return nil
		case <-j.Done():
			return nil
		}
		if err != nil {
			return nil // the client is gone or stalled; nothing to answer
		}
	}
}

// entry sends one journal entry as a "request" event.
func (s *sse) entry(e *journal.Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.event("request", strconv.FormatUint(e.ID, 10), data)
}

// event writes one event: JSON data never holds a raw newline, so it is one
// data line.
func (s *sse) event(name, id string, data []byte) error {
	buf := make([]byte, 0, len(data)+48)
	buf = append(buf, "event: "...)
	buf = append(buf, name...)
	if id != "" {
		buf = append(buf, "\nid: "...)
		buf = append(buf, id...)
	}
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	return s.write(buf)
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
