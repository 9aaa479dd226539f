package saplab

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// Reading typed fields out of a PHP form. A value that is there but cannot
// be read (text in an integer field, a list where a value belongs) is a 400:
// the panel could not even tell what was meant. A missing required value is
// the panel's own business error, "Недостаточно параметров.".

// maxText bounds text fields, as the panel's varchar columns would.
const maxText = 10_000

// text returns a text field as sent and whether it was sent. It is not
// trimmed: the panel stores what the form held, as saplab.txt shows
// (address= г. Уфа is listed as " г. Уфа", shipping type "Доставка до ТК ").
// Numbers, identifiers and codes are trimmed by their own readers.
func text(f *phpform.Value, key string) (string, bool, error) {
	if e := f.Get(key); e != nil && e.IsArray() {
		return "", false, badRequest("Поле %s должно быть строкой, а не списком.", key)
	}
	s, ok := f.Text(key)
	if utf8.RuneCountInString(s) > maxText {
		return "", false, badRequest("Поле %s длиннее %d символов.", key, maxText)
	}
	return s, ok, nil
}

// trimmed is text for identifiers and codes (numbers, email, phone, color),
// where surrounding blanks are never meant.
func trimmed(f *phpform.Value, key string) (string, bool, error) {
	s, ok, err := text(f, key)
	return strings.TrimSpace(s), ok, err
}

// integer returns an integer field within [lo, hi] and whether it was sent;
// an empty value counts as not sent, as PHP's (int)"" would give the default.
func integer(f *phpform.Value, key string, lo, hi int64) (int64, bool, error) {
	s, ok, err := trimmed(f, key)
	if err != nil || !ok || s == "" {
		return 0, false, err
	}
	n, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || n < lo || n > hi {
		return 0, false, badRequest("Поле %s должно быть целым числом от %d до %d, получено %q.", key, lo, hi, s)
	}
	return n, true, nil
}

// amount reads a money field: "-100", "152.02" (a comma is read as the
// decimal point, as Russian users type it).
func amount(f *phpform.Value, key string) (money.Amount, bool, error) {
	s, ok, err := trimmed(f, key)
	if err != nil || !ok || s == "" {
		return 0, false, err
	}
	a, perr := money.Parse(strings.Replace(s, ",", ".", 1))
	if perr != nil {
		return 0, false, badRequest("Поле %s должно быть суммой вида -100 или 152.02, получено %q.", key, s)
	}
	return a, true, nil
}

// checkbox reads an HTML checkbox: absent is false (SPEC §6).
func checkbox(f *phpform.Value, key string) (bool, error) {
	b, err := phpform.Checkbox(f, key)
	if err != nil {
		return false, badRequest("Поле %s — флажок: on, 1, true или 0, off, false.", key)
	}
	return b, nil
}

// idField reads the id of remove_* requests: required, a positive integer.
func idField(f *phpform.Value) (int64, error) {
	n, ok, err := integer(f, "id", 1, maxID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, businessErr(msgNotEnoughParam)
	}
	return n, nil
}
