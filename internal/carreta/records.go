package carreta

import (
	"encoding/json"

	"github.com/mockserver/mockserver/internal/gojson"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

// An order's rows, encoded by hand: byte for byte json.Marshal's output of
// the same values (records_internal_test.go compares the two), without its
// reflection walk, which was the largest part of a POST order/'s work
// outside its transaction and bbolt (issue 16). Each falls back to
// json.Marshal, and so to its error, for what it does not write itself (a
// time json.Marshal refuses).

// appendOrderTail appends o's members after "number" (o.Auto nil, as
// prepareOrder's record has it) and the closing brace: json.Marshal(o)
// from its "status" member on. false: a time json.Marshal refuses.
func appendOrderTail(dst []byte, o *orderRecord) ([]byte, bool) {
	dst = gojson.AppendInt(append(dst, `"status":`...), int64(o.Status))
	dst = gojson.AppendInt(gojson.Key(dst, "status_version"), int64(o.StatusVersion))
	dst = gojson.AppendString(gojson.Key(dst, "comment"), o.Comment)
	dst = gojson.AppendString(gojson.Key(dst, "client_comment"), o.ClientComment)
	dst, ok := gojson.AppendTime(gojson.Key(dst, "created"), o.Created)
	dst = gojson.AppendString(gojson.Key(dst, "code"), o.Code)
	dst = gojson.AppendString(gojson.Key(dst, "maker"), o.Maker)
	dst = gojson.AppendString(gojson.Key(dst, "name"), o.Name)
	dst = o.Price.AppendQuoted(gojson.Key(dst, "price"))
	if o.Qty != "" {
		dst = gojson.AppendString(gojson.Key(dst, "qty"), o.Qty)
	}
	if o.MinQty != 0 {
		dst = gojson.AppendInt(gojson.Key(dst, "min_qty"), int64(o.MinQty))
	}
	dst = gojson.AppendInt(gojson.Key(dst, "period_min"), int64(o.PeriodMin))
	dst = gojson.AppendInt(gojson.Key(dst, "period_max"), int64(o.PeriodMax))
	dst = gojson.AppendInt(gojson.Key(dst, "order_qty"), int64(o.OrderQty))
	dst = o.Total.AppendQuoted(gojson.Key(dst, "total"))
	return append(dst, '}'), ok
}

// encodeHistory is json.Marshal(h).
func encodeHistory(h []historyEntry) ([]byte, error) {
	if h == nil {
		return []byte("null"), nil
	}
	dst := make([]byte, 0, 64+96*len(h))
	dst = append(dst, '[')
	for i := range h {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = gojson.AppendString(append(dst, `{"comment":`...), h[i].Comment)
		var ok bool
		if dst, ok = gojson.AppendTime(append(dst, `,"created":`...), h[i].Created); !ok {
			return json.Marshal(h)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// appendProgress appends json.Marshal(p) to dst.
func appendProgress(dst []byte, p *lifecycle.Progress) ([]byte, error) {
	if row, ok := p.AppendJSON(dst); ok {
		return row, nil
	}
	data, err := json.Marshal(p) // its error, for the time it cannot write
	return append(dst, data...), err
}
