// Package strictjson decodes the JSON bodies of the control API and the
// scenario's JSON forms strictly: an unknown key or anything after the one
// value is an error, so a typo in a request is a 400 that names it rather
// than a setting silently ignored.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is returned for data after the one JSON value.
var ErrTrailing = errors.New("unexpected data after the JSON value")

// Decode reads exactly one JSON value from data into v, refusing keys that v
// does not have.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ErrTrailing
	}
	return nil
}
