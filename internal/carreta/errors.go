package carreta

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Vendor messages. The document gives only the 401 text; the rest are
// Russian, name the field, and say what to do (SPEC §5, §9).
const (
	msgUnauthorized = "Unauthorized."

	msgNotFound         = "Не найдено."
	msgOrderNotFound    = "Заказ не найден."
	msgMethodNotAllowed = "Метод \"%s\" не разрешен."
	msgTooLarge         = "Слишком большое тело запроса: не более 1 МБ."
	msgInternal         = "Внутренняя ошибка сервера."
	msgBadRequest       = "Некорректный запрос."

	msgBadPage = "Параметр page должен быть целым положительным числом."

	msgBodyNotUTF8 = "Тело запроса должно быть в кодировке UTF-8."
	msgBodyNotJSON = "Тело запроса должно быть корректным JSON."
	// msgUnsupportedMedia is Django REST framework's UnsupportedMediaType
	// detail (415), naming the Content-Type as sent.
	msgUnsupportedMedia = "Unsupported media type \"%s\" in request."
	msgBodyNotObject    = "Тело запроса должно быть JSON-объектом с полями позиции из поиска."
	msgFieldRequired    = "Поле \"%s\" обязательно."
	msgFieldString      = "Поле \"%s\" должно быть строкой."
	msgFieldInteger     = "Поле \"%s\" должно быть целым числом."
	msgFieldRange       = "Поле \"%s\" вне допустимого диапазона."
	msgFieldDecimal     = "Поле \"%s\" должно быть десятичным числом с не более чем двумя знаками после точки, например \"152.02\"."
	msgBadSignature     = "Подпись позиции (поле \"_\") не совпадает с данными позиции: позиция изменена или получена не из поиска. Повторите поиск и передайте позицию без изменений."
	msgCommentLong      = "Поле \"client_comment\" должно быть не длиннее %d символов."
	msgBadSource        = "Поле \"source\" не совпадает с источником позиции из поиска. Повторите поиск и передайте позицию без изменений."

	msgBadQty           = "Поле \"qty\" должно быть числом, \"<N\", \">N\" или содержать \"Есть\"."
	msgBadMinQty        = "Поле \"min_qty\" должно быть целым положительным числом."
	msgOrderQtyPositive = "Количество к заказу (order_qty) должно быть целым положительным числом."
	msgNotAvailable     = "Позиции нет в наличии: заказать нельзя."
	msgOrderQtyBelow    = "Количество к заказу (order_qty) должно быть меньше %d."
	msgOrderQtyAtMost   = "Количество к заказу (order_qty) не должно превышать %d."
	msgOrderQtyMultiple = "Количество к заказу (order_qty) должно быть кратно минимальному количеству (min_qty) %d."
)

// The entries of an order's history (GET order/<id>/history/): the first is
// the document's example; the others follow its wording
// (docs/decisions/carreta.md).
const (
	historyCreated = `Создан со статусом "Холд" на сумму %s руб.`
	historyStatus  = `Статус изменен с "%s" на "%s"`
	historyComment = "Комментарий: "
)

// Messages of the control API (/__admin/carreta), in English like the rest
// of the control API; the statuses are the table in force.
const (
	msgCtlBadID       = "order id must be a number"
	msgCtlNoBody      = "could not read the body"
	msgCtlBadBody     = `send {"status": a status id} and optionally "comment": %v`
	msgCtlBadStatus   = `"status" must be one of %s`
	msgCtlNoSuchOrder = "no carreta order with this id"
)

// Problems the carreta: section of a scenario can have (Section.Check),
// reported as "file:line: message". The limits come from model.go, so a
// seeded row is always one the API would have accepted.
const (
	chkTooManyIPs        = "at most %d allowed_ips per account, got %d"
	chkNotIP             = "%q is not an IP address"
	chkResultsPerQuery   = "results_per_query must be between 0 and %d"
	chkDanglingAccount   = "account %q is not an api_key of carreta.accounts (dangling id)"
	chkUnknownAccount    = "orders_account %q is not an api_key of carreta.accounts"
	chkGenerateOrders    = "generate.orders must be between 0 and %d"
	chkGenerateNoCatalog = "generated orders need carreta.catalog: they are placed on its parts"
	chkGenerateNoAccount = "generated orders need carreta.accounts"
	chkPriceRequired     = "price is required"
	chkPricePositive     = "price must be more than 0.00"
	chkCommentLong       = "client_comment is %d characters; the API accepts at most %d"
	chkOrderQtyRange     = "order_qty must be between 1 and %d"
	chkStatusUnknown     = "status %d does not exist; the statuses are %s"
	chkStatusRetired     = "status %d does not exist: it was %q in the table the mock used to guess, which is now %d %q; the statuses are %s"
	chkNewStatus         = "new orders start in status %d, which the status table lacks; set carreta.new_status"
	chkSourceBlank       = "source must not be empty (leave it out to have one generated)"
	chkSourceReused      = "the same offer (line %d) has source %q"
	chkPriceNegative     = "price must not be negative"
	chkQtyForm           = `qty %q must be "500", "<10", ">50" or contain "Есть"`
	chkMinQty            = "min_qty must be at least 1"
	chkStat              = "stat is a percentage 0..100 or null"
	chkCrossOfCross      = "a cross cannot have crosses of its own"
	chkSignatureBase64   = "signature %q is not base64"
	chkSignatureReused   = "signature already pins a different offer (line %d)"
	chkPeriod            = "need 0 <= period_min <= period_max"
)

// Error is carreta's error: an HTTP status and the text of {"error": "..."}.
type Error struct {
	Status  int
	Message string
}

// Error is the message the client reads.
func (e *Error) Error() string { return e.Message }

func badRequest(msg string) *Error { return &Error{Status: http.StatusBadRequest, Message: msg} }

func badRequestf(format string, args ...any) *Error {
	return badRequest(fmt.Sprintf(format, args...))
}

var (
	errUnauthorized  = &Error{Status: http.StatusUnauthorized, Message: msgUnauthorized}
	errOrderNotFound = &Error{Status: http.StatusNotFound, Message: msgOrderNotFound}
)

// errorEnvelope is carreta's error body: {"error": "..."}.
type errorEnvelope struct {
	Error string `json:"error"`
}

// unauthorizedBody is the 401 body, byte for byte as the document prints it
// through json.dumps: real PHP clients compare it literally.
var unauthorizedBody = []byte(`{"error": "Unauthorized."}`)

// RenderError implements api.API: it writes {"error": "..."} with Python's
// separators; the 401 body is the document's, byte for byte.
func (a *API) RenderError(c echo.Context, err error) {
	e := toError(c, err)
	if e.Status >= http.StatusInternalServerError && a.deps.Log != nil {
		a.deps.Log.Error("carreta: internal error", "path", c.Request().URL.Path, "err", err)
	}
	body := unauthorizedBody
	if e.Status != http.StatusUnauthorized {
		body = mustMarshal(errorEnvelope{Error: e.Message})
	}
	writeJSON(c, e.Status, body)
}

// toError maps anything a handler or the server returns to carreta's error:
// echo's 404/405/413, our own *Error, and everything else as a 500 (which
// only a bug produces; the text does not leak internals).
func toError(c echo.Context, err error) *Error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return &Error{Status: he.Code, Message: msgNotFound}
		case http.StatusMethodNotAllowed:
			return &Error{Status: he.Code, Message: fmt.Sprintf(msgMethodNotAllowed, c.Request().Method)}
		case http.StatusRequestEntityTooLarge:
			return &Error{Status: he.Code, Message: msgTooLarge}
		}
		if he.Code >= 400 && he.Code < 500 {
			return &Error{Status: he.Code, Message: msgBadRequest}
		}
	}
	return &Error{Status: http.StatusInternalServerError, Message: msgInternal}
}
