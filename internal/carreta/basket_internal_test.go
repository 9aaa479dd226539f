package carreta

import (
	"strings"
	"testing"
)

// decodeBasket reads what encode writes without encoding/json, and any
// other JSON of the record (a scenario's, another version's) with it, to
// the same record.
func TestDecodeBasket(t *testing.T) {
	for _, c := range []struct {
		raw     string
		want    basketRecord
		invalid bool
	}{
		{raw: `{"number":111342,"positions":1}`, want: basketRecord{111342, 1}},
		{raw: `{"number":0,"positions":0}`, want: basketRecord{0, 0}},
		{raw: `{"number":999999999999999999,"positions":2147483647}`, want: basketRecord{999999999999999999, 2147483647}},
		{raw: `{"number":18446744073709551615,"positions":3}`, want: basketRecord{18446744073709551615, 3}},
		{raw: `{"positions":3,"number":7}`, want: basketRecord{7, 3}},
		{raw: `{"number": 7, "positions": 3}`, want: basketRecord{7, 3}},
		{raw: `{"number":07,"positions":3}`, invalid: true},
		{raw: `{"number":7,"positions":-3}`, want: basketRecord{7, -3}},
		{raw: `{"number":7,"positions":3,"x":1}`, want: basketRecord{7, 3}},
		{raw: `{"number":7,"positions":3}x`, invalid: true},
		{raw: `{"number":7,"positions":`, invalid: true},
		{raw: `{"number":"7","positions":3}`, invalid: true},
	} {
		var b basketRecord
		err := decodeBasket([]byte(c.raw), &b)
		if (err != nil) != c.invalid || !c.invalid && b != c.want {
			t.Errorf("%s: %+v, %v", c.raw, b, err)
		}
	}
	for _, b := range []basketRecord{{111342, 1}, {1, 99}, {18446744073709551615, 2147483647}} {
		var got basketRecord
		raw := b.encode()
		if err := decodeBasket(raw, &got); err != nil || got != b || strings.Contains(string(raw), " ") {
			t.Errorf("%+v: %s → %+v, %v", b, raw, got, err)
		}
	}
}
