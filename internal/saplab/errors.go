package saplab

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// The panel's messages, exactly as saplab.txt prints them (decoded from its
// \u escapes), and the mock's own where the document shows none.
const (
	msgAuth           = "Ошибка авторизации."
	msgForbidden      = "Недостаточно прав."
	msgNotEnoughParam = "Недостаточно параметров."
	msgStatusInUse    = "Статус используется в настройках магазина."
	msgGroupAdded     = "Группа клиентов успешно добавлена."
	msgGroupUpdated   = "Группа обновлена."
	msgGroupRemoved   = "Группа успешно удалена."
	msgGroupInUse     = "Группа используется в настройках магазина, удаление невозможно."
	msgClientAdded    = "Клиент успешно добавлен."
	msgClientUpdated  = "Данные клиента обновлены."
	msgStatusSet      = "Статус установлен успешно."
	msgDenied         = "Позиция снята"
	msgPaid           = "Выбранные позиции клиента %s оплачены."
	msgRefunded       = "На счёт клиента %s отправлено %s₽ "
	msgShort          = "Недостаточно средств на балансе клиента %s , необходимо пополнить баланс на %s₽"
	msgNoOrders       = "Нет подходящих заказов."
	msgArchived       = "%d заказов отправлено в архив."
	msgArchiveFailed  = "Не удалось отправить заказы в архив."
	msgUnarchived     = "Заказ разархивирован и появился в основном списке заказов."
	msgUnarchiveNone  = "Не найдено подходящих заказов."
	msgDocuments      = "Документы сгенерированы."

	// Field-map messages, in the panel's form-validation wording
	// (saplab.txt: "Поле Email должно быть уникальным.").
	msgUnique   = "Поле %s должно быть уникальным."
	msgRequired = "Поле %s обязательно для заполнения."
	msgEmail    = "Поле %s должно содержать правильный адрес email."
	msgNoSuchID = "Поле %s содержит несуществующий идентификатор."

	// The mock's own, where the document shows no message.
	msgGroupNotFound  = "Группа не найдена."
	msgClientNotFound = "Клиент не найден."
	msgStatusNotFound = "Статус не найден."
	msgTransaction    = "Операция проведена."
	msgZeroAmount     = "Сумма операции не может быть нулевой."

	// Labels of the client form's fields in its field-map messages.
	labelName     = "Имя"
	labelEmail    = "Email"
	labelPhone    = "Телефон"
	labelPoint    = "Офис"
	labelManager  = "Менеджер"
	labelGroup    = "Группа"
	labelShipping = "Способ доставки"
	labelOrgName  = "Наименование юридического лица"
)

// The mock's answers to requests the panel cannot read (400), in the
// panel's language: the document shows none.
const (
	msgBodyUnreadable  = "Не удалось прочитать тело запроса."
	msgFormNotUTF8     = "Данные формы не в кодировке UTF-8."
	msgFormTooManyVars = "В форме больше %d полей."
	msgFormTooDeep     = "Поле формы вложено глубже %d уровней."
	msgFormNotForm     = "Данные передаются формой (application/x-www-form-urlencoded или multipart/form-data), а не JSON."
	msgFormUnreadable  = "Не удалось прочитать данные формы."
	msgBadID           = "Неверный идентификатор %q: нужно целое положительное число."
	msgBadIDList       = "Неверный список идентификаторов %q: нужны целые положительные числа через запятую, например 19,20,21."
	msgTooManyIDs      = "Не больше %d позиций за один запрос."
	msgNotText         = "Поле %s должно быть строкой, а не списком."
	msgTextTooLong     = "Поле %s длиннее %d символов."
	msgTextNUL         = "Поле %s содержит нулевой символ (NUL), его нельзя сохранить."
	msgNotInteger      = "Поле %s должно быть целым числом от %d до %d, получено %q."
	msgNotAmount       = "Поле %s должно быть суммой вида -100 или 152.02, получено %q."
	msgNotCheckbox     = "Поле %s — флажок: on, 1, true или 0, off, false."
	msgBadColor        = "Поле color — цвет из шести шестнадцатеричных цифр, например ABABAB; получено %q."
	msgWholesalersForm = "Поле wholesalers передаётся как wholesalers[inn]=..., wholesalers[org_name]=..."
	msgPasswordTooLong = "Пароль длиннее %d байт."

	// Errors raised before a handler runs (httpText) and the last resort.
	msgNoRoute    = "Метод %s %s не существует."
	msgNoMethod   = "Метод %s не поддерживается для %s."
	msgTooLarge   = "Тело запроса больше 1 МиБ."
	msgBadRequest = "Не удалось прочитать запрос."
	msgInternal   = "Внутренняя ошибка сервера."
)

// Texts the panel writes into rows: ledger comments and the author of
// automatic status changes (saplab.txt, the balance and order examples).
const (
	// openingComment is the ledger entry that makes a scenario client's
	// balance equal the sum of their transactions (docs/decisions.md,
	// "Scenario balances").
	openingComment = "Начальный остаток"
	// systemManager names the author of automatic status changes in a
	// position's history (saplab.txt, the order list example).
	systemManager = "Автоматически"
	textTopUp     = "Пополнение счёта"
	textPaid      = "Оплата позиции %s - %s (%d шт.)"
	textRefunded  = "Отмена оплаты позиции %s - %s (%d шт.)"
)

// The control API's answers to POST /__admin/saplab/orders (admin.go), in
// its language, English.
const (
	msgCtlBody            = "could not read the body"
	msgCtlNotUTF8         = "the body is not valid UTF-8"
	msgCtlNotJSON         = "the body must be a JSON order: %v"
	msgCtlAmount          = "%s is not an amount like \"236.69\" (%v)"
	msgCtlProblems        = "the order has problems; nothing was created"
	msgCtlClientRequired  = "client_id is required"
	msgCtlNoClient        = "client_id: client %d does not exist"
	msgCtlNoClientID      = "no saplab client with id %q"
	msgCtlNoShipping      = "shipping_id: shipping type %d does not exist"
	msgCtlNoStatus        = "status_id: status %d does not exist"
	msgCtlNoPositions     = "positions: at least one position is required"
	msgCtlTooManyPosition = "positions: at most %d per request"
	msgCtlBrand           = "positions[%d].brand is required"
	msgCtlArticle         = "positions[%d].article is required"
	msgCtlPrice           = "positions[%d].price is required and must not be negative"
	msgCtlInitialPrice    = "positions[%d].initial_price must not be negative"
	msgCtlQuantity        = "positions[%d].quantity must be between 1 and %d"
	msgCtlNoDistributor   = "positions[%d].distributor_id: distributor %d does not exist"
	msgCtlDeliveryTimes   = "positions[%d].delivery times must satisfy 0 <= min <= max <= %d"
)

// Error is a panel answer that is not a success: a status and one of the
// panel's error bodies.
type Error struct {
	Status int
	Body   phpjson.Object
}

// Error is the status and the body, for logs.
func (e *Error) Error() string {
	b, _ := phpjson.Marshal(e.Body)
	return fmt.Sprintf("%d %s", e.Status, b)
}

// textErr is {"status":"error","text":text} with an HTTP status: 200 for the
// business errors the document shows (the panel answers them with 200), 4xx
// for requests it cannot read.
func textErr(code int, text string) *Error {
	return &Error{Status: code, Body: phpjson.Object{{Key: "status", Value: "error"}, {Key: "text", Value: text}}}
}

// businessErr is a documented error answered with 200.
func businessErr(format string, args ...any) *Error {
	return textErr(http.StatusOK, fmt.Sprintf(format, args...))
}

// badRequest is a request the panel cannot read: 400.
func badRequest(format string, args ...any) *Error {
	return textErr(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// badID is the answer to an id that parseID refuses.
func badID(s string) *Error { return badRequest(msgBadID, s) }

// bareErr is {"status":"error"} exactly: the document's answer to removing
// a shipping type or status that does not exist.
func bareErr() *Error {
	return &Error{Status: http.StatusOK, Body: phpjson.Object{{Key: "status", Value: "error"}}}
}

// fieldErrs is the client form's field map, {"email":"...","phone":"..."},
// naming only the failing fields (saplab.txt, the client create example).
type fieldErrs phpjson.Object

// add names a failing field with its message, format filled with label.
func (f *fieldErrs) add(field, format, label string) {
	*f = append(*f, phpjson.Field{Key: field, Value: fmt.Sprintf(format, label)})
}

// err is the field map as the panel's answer, or nil when no field failed.
func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Status: http.StatusOK, Body: phpjson.Object(f)}
}

// errUnauthorized is the answer to missing or wrong credentials (SPEC §6).
var errUnauthorized = textErr(http.StatusUnauthorized, msgAuth)

// RenderError writes every error under /panel in the panel's shape:
// {"status":"error","text":"..."}, whatever produced it.
func (a *API) RenderError(c echo.Context, err error) {
	var pe *Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &he):
		pe = textErr(he.Code, httpText(c, he.Code))
	default:
		a.deps.Log.Error("saplab: unexpected error", "path", c.Request().URL.Path, "err", err)
		pe = textErr(http.StatusInternalServerError, msgInternal)
	}
	if pe.Status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="panel"`)
	}
	body, _ := phpjson.Marshal(pe.Body)
	writeJSON(c, pe.Status, body)
}

// httpText explains the errors echo and the server raise before a handler.
func httpText(c echo.Context, code int) string {
	r := c.Request()
	switch code {
	case http.StatusNotFound:
		return fmt.Sprintf(msgNoRoute, r.Method, r.URL.Path)
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf(msgNoMethod, r.Method, r.URL.Path)
	case http.StatusRequestEntityTooLarge:
		return msgTooLarge
	case http.StatusBadRequest:
		return msgBadRequest
	}
	return http.StatusText(code)
}

// problemPasswordTooLong is the scenario check's problem for a seeded
// password passwordFits refuses.
const problemPasswordTooLong = "password is longer than %d bytes (bcrypt reads no more)"

// The scenario check's problems for a position's quantity and delivery
// window (positionFaults).
const (
	problemQuantity = "quantity must be between 1 and %d"
	problemDelivery = "need 0 <= delivarytime_min <= delivarytime_max <= %d days"
)

// The scenario checks' problems for a ledger that does not match the
// positions: a payment naming a position of another client, and a paid
// position whose payment is not in the ledger.
const (
	chkPaymentOrder   = "order_id %d is not a position of client %d"
	chkPaymentMissing = "position %d is paid, but client %d's transactions hold no payment for it (order_id: %d, amount: \"%s\")"
)
