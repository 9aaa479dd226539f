package amapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// The boolean each endpoint answers with; every failure body of that
// endpoint carries it set to false (amapi.txt, "Response Fields").
const (
	flagSignedUp        = "signedUp"
	flagSignedIn        = "signedIn"
	flagSignedOut       = "signedOut"
	flagPasswordChanged = "passwordChanged"
	flagOrderCreated    = "OrderCreated"
)

// Vendor messages. The login failure is amapi.txt's own (its 400 example);
// the field messages follow Laravel-Lang's ru locale with the JSON key as
// the attribute name; the rest are the mock's own, worded in the same style
// (docs/decisions/amapi.md).
const (
	MsgWrongCredentials    = "Неправильный логин (электронная почта) и/или пароль."
	MsgServiceUnavailable  = "Сервис временно недоступен."
	MsgRegistrationClosed  = "Онлайн-регистрация временно недоступна."
	MsgBodyNotUTF8         = "Тело запроса должно быть текстом в кодировке UTF-8."
	MsgBodyNotJSON         = "Тело запроса не является корректным JSON."
	MsgBodyNotObject       = "Тело запроса должно быть JSON-объектом."
	MsgEmailNotCallers     = "Значение поля email не совпадает с электронной почтой пользователя."
	MsgOldPasswordMismatch = "Значение поля old_password не совпадает с текущим паролем."

	fmtRequired   = "Поле %s обязательно для заполнения."
	fmtRequiredIf = "Поле %s обязательно для заполнения, когда %s равно %s."
	fmtString     = "Значение поля %s должно быть строкой."
	fmtInteger    = "Значение поля %s должно быть целым числом."
	fmtNumeric    = "Значение поля %s должно быть числом."
	fmtStrOrInt   = "Значение поля %s должно быть строкой или целым числом."
	fmtArray      = "Значение поля %s должно быть массивом."
	fmtObject     = "Значение поля %s должно быть объектом."
	fmtMinNumeric = "Значение поля %s должно быть не меньше %s."
	fmtMinString  = "Количество символов в поле %s должно быть не меньше %s."
	fmtMinArray   = "Количество элементов в поле %s должно быть не меньше %s."
	fmtMaxString  = "Количество символов в значении поля %s не может превышать %s."
	fmtEmail      = "Значение поля %s должно быть действительным электронным адресом."
	fmtUnique     = "Такое значение поля %s уже существует."
	fmtConfirmed  = "Значение поля %s не совпадает с подтверждаемым."
)

// Laravel's own texts for what never reaches amapi's controllers.
const (
	// MsgUnauthenticated is AuthenticationException's message, rendered by
	// the framework as {"message":"Unauthenticated."} (SPEC §4).
	MsgUnauthenticated = "Unauthenticated."
	msgTooLarge        = "The POST data is too large."
	msgServerError     = "Server Error"
	fmtRouteNotFound   = "The route %s could not be found."
	fmtMethodNotAllow  = "The %s method is not supported for route %s. Supported methods: %s."
)

// msgCtlServiceUsage is the control API's answer to a POST
// /__admin/amapi/service it cannot use (rendered in the control API's
// envelope, not amapi's).
const msgCtlServiceUsage = `send {"available": false} and/or {"online_registration": false} (true to restore)`

// Error is a failure amapi answers itself: {"<flag>":false,"message":...}
// with message a string for one problem and an array for two or more
// (amapi.txt: "При 2 или более ошибках передается в массиве"). Without a
// flag it is the framework's {"message":"..."}, as for 401.
type Error struct {
	Status   int
	Flag     string
	Messages []string
}

// Error says the status and messages, for logs and tests.
func (e *Error) Error() string { return fmt.Sprintf("amapi %d: %v", e.Status, e.Messages) }

func fail(status int, flag string, msgs ...string) *Error {
	return &Error{Status: status, Flag: flag, Messages: msgs}
}

func errUnauthenticated() *Error { return fail(http.StatusUnauthorized, "", MsgUnauthenticated) }

func invalid(flag string, msgs ...string) *Error { return fail(http.StatusBadRequest, flag, msgs...) }

func unavailable(flag string) *Error {
	return fail(http.StatusServiceUnavailable, flag, MsgServiceUnavailable)
}

// body is the wire form of e.
func (e *Error) body() []byte {
	var msg any = e.Messages
	if len(e.Messages) == 1 {
		msg = e.Messages[0]
	}
	o := phpjson.Object{}
	if e.Flag != "" {
		o = append(o, phpjson.Field{Key: e.Flag, Value: false})
	}
	o = append(o, phpjson.Field{Key: "message", Value: msg})
	b, err := phpjson.Marshal(o)
	if err != nil { // strings and bools always encode
		panic(err)
	}
	return b
}

// RenderError writes every error under /api: amapi's own failures in its
// shape, and what Laravel's framework answers before a controller runs
// (unknown route, wrong method, body too large, a crash) in the framework's.
func (a *API) RenderError(c echo.Context, err error) {
	laravelHeaders(c)
	var ae *Error
	if errors.As(err, &ae) {
		writeJSON(c, ae.Status, ae.body())
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Code == http.StatusNotFound || he.Code == http.StatusMethodNotAllowed:
			_ = routeMiss(c, a.allowedAt(c.Request().URL.Path))
			return
		case he.Code == http.StatusRequestEntityTooLarge:
			writeJSON(c, he.Code, frameworkBody(msgTooLarge))
			return
		case he.Code < http.StatusInternalServerError:
			writeJSON(c, he.Code, frameworkBody(http.StatusText(he.Code)))
			return
		}
	}
	a.deps.Log.Error("amapi request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	writeJSON(c, http.StatusInternalServerError, frameworkBody(msgServerError))
}

// frameworkBody is {"message": msg} as Laravel's exception handler renders
// HTTP exceptions for JSON clients: prepareJsonResponse encodes with
// JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES (four-space indent, "/" left
// alone, non-ASCII still \u-escaped).
func frameworkBody(msg string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(msg)
	out := []byte("{\n    \"message\": ")
	for _, r := range string(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})) {
		if r < 0x80 {
			out = append(out, byte(r))
		} else {
			out = phpjson.AppendRuneEscape(out, r)
		}
	}
	return append(out, "\n}"...)
}
