package admin

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

// previewParams are GET /__admin/clock/preview's parameters: the set and
// advance of POST /__admin/clock.
var previewParams = []string{"set", "advance"}

// MaxPreview bounds the moves a preview lists: a jump of months over a
// scale scenario passes hundreds of thousands; the console shows the
// first, and total says how many there are.
const MaxPreview = 1000

// previewView is GET /__admin/clock/preview's answer.
type previewView struct {
	Now   string        `json:"now"`
	To    string        `json:"to"`
	Moves []previewMove `json:"moves"`
	Total int           `json:"total"`
}

// previewMove is one automatic move: a carreta order's or a saplab
// position's (id) status from one to another, at the instant it falls due.
type previewMove struct {
	API      string `json:"api"`
	ID       uint64 `json:"id"`
	Number   string `json:"number,omitempty"` // a carreta order's name (A111346-1)
	From     int64  `json:"from"`
	FromName string `json:"from_name"`
	To       int64  `json:"to"`
	ToName   string `json:"to_name"`
	At       string `json:"at"`
}

// previewClock is GET /__admin/clock/preview?advance=72h (or ?set=...):
// the automatic status moves (SPEC §12) POST /__admin/clock with the same
// set and advance would apply, earliest first, and the time it would
// show. Nothing changes: not the clock, not the state, not even the moves
// already due, which the preview lists as the move would apply them.
func (h handlers) previewClock(c echo.Context) error {
	m, err := previewRequest(c)
	if err != nil {
		return err
	}
	now, to, err := h.Clock.Preview(m)
	if err != nil { // clock.ErrOutOfRange, the only error
		return api.Controlf(http.StatusBadRequest, "%v", err)
	}
	changes, err := h.Control.Preview(to)
	if err != nil {
		return err
	}
	out := previewView{Now: now.In(clock.Moscow).Format(time.RFC3339Nano), To: to.In(clock.Moscow).Format(time.RFC3339Nano),
		Moves: make([]previewMove, 0, min(len(changes), MaxPreview)), Total: len(changes)}
	for _, ch := range changes[:min(len(changes), MaxPreview)] {
		out.Moves = append(out.Moves, toPreviewMove(ch))
	}
	return c.JSON(http.StatusOK, out)
}

// previewRequest reads the preview's set and advance as POST /__admin/clock
// reads them; one of the two is required.
func previewRequest(c echo.Context) (clock.Move, error) {
	var m clock.Move
	if err := onlyParams(c, previewParams); err != nil {
		return m, err
	}
	set, advance := c.QueryParam("set"), c.QueryParam("advance")
	if set == "" && advance == "" {
		return m, api.Controlf(http.StatusBadRequest, "give set (a time) or advance (a duration such as 72h): the move to preview")
	}
	if set != "" {
		t, err := parseSet(set)
		if err != nil {
			return m, err
		}
		m.Set = &t
	}
	if advance != "" {
		d, err := parseAdvance(advance)
		if err != nil {
			return m, err
		}
		m.Advance = d
	}
	return m, nil
}

// toPreviewMove is ch as the control API shows it, its time in Moscow.
func toPreviewMove(ch lifecycle.Change) previewMove {
	return previewMove{API: ch.API, ID: ch.ID, Number: ch.Number, From: ch.From, FromName: ch.FromName, To: ch.To, ToName: ch.ToName,
		At: ch.At.In(clock.Moscow).Format(time.RFC3339Nano)}
}
