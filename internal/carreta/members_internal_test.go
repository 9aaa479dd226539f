package carreta

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestObjectMembers: for every body it takes, objectMembers gives the map
// json.Unmarshal gives; the bodies it leaves to json.Unmarshal are those
// that are not an object of keys without escapes.
func TestObjectMembers(t *testing.T) {
	for _, c := range []struct {
		body string
		fast bool
	}{
		{`{}`, true},
		{` { } `, true},
		{"\t{\r\n\"a\" :\t1 ,\n\"b\":\"x\"}\n", true},
		{`{"a":1,"a":2}`, true},
		{`{"s":"q\"uo\\te\u0041","n":-1.5e3,"t":true,"f":false,"z":null}`, true},
		{`{"o":{"x":[1,{"y":"}]"}],"w":{}},"a":[ ],"b":[1, 2 ,3]}`, true},
		{`{"ключ":"значение","":""}`, true},
		{`{"_":"DqYX+Te0AM=","code":"OC47","price":"175.11","qty":"300","order_qty":10}`, true},
		{`{"a\"b":1}`, false},
		{`{"\u0061":1}`, false},
		{"{\"\xff\":1}", false},
		{`null`, false},
		{`[1]`, false},
		{`"x"`, false},
		{`12`, false},
		{`{"a":1,}`, false},
		{`{"a":1} x`, false},
		{`{"a":`, false},
		{``, false},
	} {
		got, fast := objectMembers([]byte(c.body))
		if fast != c.fast {
			t.Errorf("%s: fast %v, want %v", c.body, fast, c.fast)
			continue
		}
		if !fast {
			continue
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.body), &want); err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, json.Unmarshal %q", c.body, got, want)
		}
	}
}

// FuzzObjectMembers: on any body, objectMembers either leaves it to
// json.Unmarshal or gives the map json.Unmarshal gives.
func FuzzObjectMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":[{"b":"}"}]}`, `{"s":"\\\"","n":1e5}`, ` {"k" : null } `, `[]`, `{"a\n":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, fast := objectMembers(body)
		if !fast {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: taken, but json.Unmarshal says %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %q, json.Unmarshal %q", body, got, want)
		}
	})
}
