package pyjson_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/pyjson"
)

func TestMarshal(t *testing.T) {
	type offer struct {
		Code  string `json:"code"`
		IsX   bool   `json:"is_cross"`
		Name  string `json:"name"`
		Price string `json:"price"`
		Stat  *int   `json:"stat"`
	}
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"unauthorized body", map[string]string{"error": "Unauthorized."}, `{"error": "Unauthorized."}`},
		{"documented name", offer{"OC47", false, "Фильтр масляный", "152.02", nil},
			`{"code": "OC47", "is_cross": false, "name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439", "price": "152.02", "stat": null}`},
		{"separators inside strings untouched", map[string]any{"a": "x, y: z", "b": []int{1, 2}}, `{"a": "x, y: z", "b": [1, 2]}`},
		{"slash kept, quote and DEL escaped", "KNECHT/MAHLE \"x\" \x7f", `"KNECHT/MAHLE \"x\" \u007f"`},
		{"astral plane", "😀", `"\ud83d\ude00"`},
		{"empty list", map[string]any{"objects": []int{}}, `{"objects": []}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := pyjson.Marshal(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSorted(t *testing.T) {
	if err := pyjson.Sorted([]byte(`{"a": 1, "b": {"c": [ {"d": 1, "e": 2} ]}}`)); err != nil {
		t.Fatalf("sorted body rejected: %v", err)
	}
	if err := pyjson.Sorted([]byte(`{"a": 1, "b": [{"e": 1, "d": 2}]}`)); err == nil {
		t.Fatal("unsorted nested object accepted")
	}
}
