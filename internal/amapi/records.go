package amapi

import (
	"bytes"
	"encoding/json"

	"github.com/mockserver/mockserver/internal/gojson"
)

// AppendJSON appends the order's row (state.Appender): byte for byte
// json.Marshal's output (records_internal_test.go compares the two)
// without its reflection walk (issue 16). The request is the body as the
// client sent it, compacted as json.Marshal compacts a json.RawMessage;
// false, for json.Marshal to encode it, when the body is not valid JSON or
// holds what json.Marshal would escape besides ('<', '>', '&', U+2028,
// U+2029).
func (o *orderRecord) AppendJSON(dst []byte) ([]byte, bool) {
	dst = gojson.AppendUint(append(dst, `{"id":`...), o.ID)
	dst = gojson.AppendString(append(dst, `,"code":`...), o.Code)
	dst = gojson.AppendString(append(dst, `,"kind":`...), o.Kind)
	dst = gojson.AppendUint(append(dst, `,"user_id":`...), o.UserID)
	dst = gojson.AppendUint(append(dst, `,"token_id":`...), o.TokenID)
	dst = gojson.AppendString(append(dst, `,"created_at":`...), o.CreatedAt)
	dst = append(dst, `,"request":`...)
	if o.Request == nil {
		return append(dst, "null}"...), true
	}
	at := len(dst)
	buf := bytes.NewBuffer(dst)
	if json.Compact(buf, o.Request) != nil {
		return nil, false
	}
	dst = buf.Bytes()
	if bytes.ContainsAny(dst[at:], "<>&\u2028\u2029") {
		return nil, false
	}
	return append(dst, '}'), true
}
