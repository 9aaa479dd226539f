package saplab

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/state"
)

// The answer cache keeps the encoded answers of the panel's reads (the
// reference tables, managers, a client's form and ledger page, a page of
// the client or position list) between writes: a small list costs a
// second encoding and a read transaction per request otherwise, which
// made them half as fast as a server replaying the bytes (issue 16). It
// lives beside the row cache and goes with it: every committed write's
// publish and every Load drop both, under store.viewMu held exclusively,
// so a kept answer is always the one the current view and file give
// (an answercache.Cache, as carreta's pages and amapi's probes: a drop
// moves its version on).
//
// A hit reads no file: the view alone answers, and it only ever shows
// committed writes (publish applies them after their commit). A write
// committed but not yet published is not yet acknowledged to its client,
// so an answer from before it is one the client could have had anyway;
// any read that starts after the write's answer finds the cache dropped.
// A lifecycle move that has fallen due is still applied first (read).
//
// Kept answers are never changed: they are written as they are and
// declared fixed (request.Info.Fix), so the journal keeps them with no
// copy.

// answerKey names a kept answer: the endpoint (name), the row it shows
// (id), the page, and for list pages the path of the filters.
type answerKey struct {
	name    string
	id      int64
	page    int64
	filters string
}

// keepAnswers turns the answer cache on; BenchmarkScalePages turns it off
// (export_test.go) to measure what a page costs to make, as after a write.
var keepAnswers atomic.Bool

func init() { keepAnswers.Store(true) }

// maxAnswerBytes bounds the answer cache; past it the cache starts over
// rather than tracking use (a default-scenario position page is ~32 KB).
const maxAnswerBytes = 4 << 20

// answer is the encoded answer k names: kept, or made by build inside a
// read (view and transaction agree) and kept until the next write or Load.
func (s *store) answer(k answerKey, build func(tx *state.Tx, v *view) ([]byte, error)) ([]byte, error) {
	if b, ok := s.keptAnswer(k); ok {
		return b, nil
	}
	var out []byte
	err := s.read(func(tx *state.Tx, v *view) error {
		b, err := build(tx, v)
		if err != nil {
			return err
		}
		out = b
		s.keepAnswer(k, b) // still under viewMu: no write can publish in between
		return nil
	})
	return out, err
}

// encoded is answer for a value phpjson encodes.
func (s *store) encoded(k answerKey, build func(tx *state.Tx, v *view) (any, error)) ([]byte, error) {
	return s.answer(k, func(tx *state.Tx, v *view) ([]byte, error) {
		val, err := build(tx, v)
		if err != nil {
			return nil, err
		}
		return phpjson.Marshal(val)
	})
}

// keptAnswer is the kept answer k, unless an automatic move has fallen due
// (read applies it first, then the answer is made again). The cache's
// version only moves under viewMu held exclusively (dropAnswers), so under
// viewMu shared it is the version of the view being read.
func (s *store) keptAnswer(k answerKey) ([]byte, bool) {
	if !keepAnswers.Load() {
		return nil, false
	}
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	b, ok := s.answers.Get(k, s.answers.Version())
	if !ok || s.due() {
		return nil, false
	}
	return b, true
}

// keepAnswer keeps b as k; the caller holds viewMu shared (inside s.read).
func (s *store) keepAnswer(k answerKey, b []byte) {
	if !keepAnswers.Load() {
		return
	}
	s.answers.Put(k, s.answers.Version(), b)
}

// dropAnswers makes every kept answer stale; the caller holds viewMu
// exclusively.
func (s *store) dropAnswers() { s.answers.Changed() }

// listAnswer is a list page's answer, {"<key>":[rows...],"filters":{...},
// "pages":N}, kept under the list's key and path, the escaped path after
// the list's own ("" or "/filter/..."): the same path is the same query,
// so a kept page is found without parsing its filters again. parse reads
// the query on a miss (its errors are the answer, and never kept).
func (s *store) listAnswer(key, path string, parse func() (*filter.Query, error),
	rows func(tx *state.Tx, v *view, q *filter.Query) ([][]byte, int64, error)) ([]byte, error) {
	k := answerKey{name: key, filters: path}
	if b, ok := s.keptAnswer(k); ok {
		return b, nil
	}
	q, err := parse()
	if err != nil {
		return nil, err
	}
	f, err := phpjson.Marshal(q.Echo)
	if err != nil {
		return nil, err
	}
	return s.answer(k, func(tx *state.Tx, v *view) ([]byte, error) {
		list, pages, err := rows(tx, v, q)
		if err != nil {
			return nil, err
		}
		return encodeList(key, list, f, pages), nil
	})
}

// encodeList is {"<key>":[rows...],"filters":<filters>,"pages":N} from
// rows and filters already encoded: the bytes phpjson.Marshal gives for
// the list, without encoding the rows again.
func encodeList(key string, rows [][]byte, filters []byte, pages int64) []byte {
	n := len(key) + len(filters) + 48
	for _, r := range rows {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	b = append(append(append(b, `{"`...), key...), `":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(append(append(b, `],"filters":`...), filters...), `,"pages":`...)
	b = strconv.AppendInt(b, pages, 10)
	return append(b, '}')
}

// writeAnswer writes a kept answer as the panel's JSON, declared fixed:
// the bytes are shared by every request that gets them and never change.
func writeAnswer(c echo.Context, body []byte, err error) error {
	if err != nil {
		return err
	}
	request.From(c).Fix(body)
	writeJSON(c, http.StatusOK, body)
	return nil
}
