package saplab

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// Reading typed fields out of a PHP form. A value that is there but cannot
// be read (text in an integer field, a list where a value belongs) is a 400:
// the panel could not even tell what was meant. A missing required value is
// the panel's own business error, "Недостаточно параметров.".

// maxText bounds text fields, as the panel's varchar columns would.
const maxText = 10_000

// form decodes the request's fields as PHP's $_POST.
func form(c echo.Context) (*phpform.Value, error) {
	body, err := api.Body(c)
	if err != nil {
		return nil, badRequest(msgBodyUnreadable)
	}
	v, err := phpform.ParseBody(c.Request().Header.Get(echo.HeaderContentType), body)
	if err != nil {
		return nil, formError(err)
	}
	return v, nil
}

// query decodes the query string as PHP's $_GET.
func query(c echo.Context) (*phpform.Value, error) {
	v, err := phpform.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, formError(err)
	}
	return v, nil
}

// formError is the answer to a form phpform cannot read.
func formError(err error) error {
	switch {
	case errors.Is(err, phpform.ErrInvalidUTF8):
		return badRequest(msgFormNotUTF8)
	case errors.Is(err, phpform.ErrTooManyVars):
		return badRequest(msgFormTooManyVars, phpform.MaxVars)
	case errors.Is(err, phpform.ErrTooDeep):
		return badRequest(msgFormTooDeep, phpform.MaxNesting)
	case errors.Is(err, phpform.ErrUnsupported):
		return badRequest(msgFormNotForm)
	}
	return badRequest(msgFormUnreadable)
}

// idParam is the :id path parameter, or the answer to one parseID refuses.
func idParam(c echo.Context) (int64, error) {
	id, ok := pathID(c)
	if !ok {
		return 0, badID(c.Param("id"))
	}
	return id, nil
}

// idAndForm reads what most panel writes take: the row id in the path and
// the form fields.
func idAndForm(c echo.Context) (int64, *phpform.Value, error) {
	id, err := idParam(c)
	if err != nil {
		return 0, nil, err
	}
	f, err := form(c)
	return id, f, err
}

// listPath is the escaped path of a list request after the list's own
// path (prefix): "" or "/" for the whole list, "/filter/..." for filters.
func listPath(c echo.Context, prefix string) string {
	return strings.TrimPrefix(c.Request().URL.EscapedPath(), prefix)
}

// filterQuery parses the path filters after <prefix>/filter (or none).
func filterQuery(c echo.Context, prefix string, spec filter.Spec) (*filter.Query, error) {
	rest := listPath(c, prefix)
	if !strings.HasPrefix(rest, "/filter") {
		return filter.Default(), nil
	}
	q, err := filter.Parse(strings.TrimPrefix(rest, "/filter"), spec)
	if err != nil {
		var fe *filter.Error
		if errors.As(err, &fe) {
			return nil, badRequest("%s", fe.Text)
		}
		return nil, err
	}
	return q, nil
}

// idsParam is the :ids path parameter (parseIDs).
func idsParam(c echo.Context) ([]int64, error) { return parseIDs(c.Param("ids")) }

// text returns a text field as sent and whether it was sent. It is not
// trimmed: the panel stores what the form held, as saplab.txt shows
// (address= г. Уфа is listed as " г. Уфа", shipping type "Доставка до ТК ").
// Numbers, identifiers and codes are trimmed by their own readers.
func text(f *phpform.Value, key string) (string, bool, error) {
	if e := f.Get(key); e != nil && e.IsArray() {
		return "", false, badRequest(msgNotText, key)
	}
	s, ok := f.Text(key)
	if utf8.RuneCountInString(s) > maxText {
		return "", false, badRequest(msgTextTooLong, key, maxText)
	}
	if strings.IndexByte(s, 0) >= 0 {
		// PostgreSQL's text cannot hold NUL ("invalid byte sequence for
		// encoding UTF8: 0x00"): the panel's insert would fail.
		return "", false, badRequest(msgTextNUL, key)
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
		return 0, false, badRequest(msgNotInteger, key, lo, hi, s)
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
		return 0, false, badRequest(msgNotAmount, key, s)
	}
	return a, true, nil
}

// checkbox reads an HTML checkbox: absent is false (SPEC §6).
func checkbox(f *phpform.Value, key string) (bool, error) {
	b, err := phpform.Checkbox(f, key)
	if err != nil {
		return false, badRequest(msgNotCheckbox, key)
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
