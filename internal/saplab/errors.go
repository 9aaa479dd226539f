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
)

// Error is a panel answer that is not a success: a status and one of the
// panel's error bodies.
type Error struct {
	Status int
	Body   phpjson.Object
	// Cause is kept for logs; it never reaches the client.
	Cause error
}

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

// bareErr is {"status":"error"} exactly: the document's answer to removing
// a shipping type or status that does not exist.
func bareErr() *Error {
	return &Error{Status: http.StatusOK, Body: phpjson.Object{{Key: "status", Value: "error"}}}
}

// fieldErrs is the client form's field map, {"email":"...","phone":"..."},
// naming only the failing fields (saplab.txt, the client create example).
type fieldErrs phpjson.Object

func (f *fieldErrs) add(field, format, label string) {
	*f = append(*f, phpjson.Field{Key: field, Value: fmt.Sprintf(format, label)})
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Status: http.StatusOK, Body: phpjson.Object(f)}
}

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
		pe = textErr(http.StatusInternalServerError, "Внутренняя ошибка сервера.")
	}
	if pe.Cause != nil {
		a.deps.Log.Warn("saplab: request failed", "path", c.Request().URL.Path, "err", pe.Cause)
	}
	if pe.Status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="panel"`)
	}
	body, _ := phpjson.Marshal(pe.Body)
	_ = c.JSONBlob(pe.Status, body)
}

// httpText explains the errors echo and the server raise before a handler.
func httpText(c echo.Context, code int) string {
	r := c.Request()
	switch code {
	case http.StatusNotFound:
		return fmt.Sprintf("Метод %s %s не существует.", r.Method, r.URL.Path)
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("Метод %s не поддерживается для %s.", r.Method, r.URL.Path)
	case http.StatusRequestEntityTooLarge:
		return "Тело запроса больше 1 МиБ."
	case http.StatusBadRequest:
		return "Не удалось прочитать запрос."
	}
	return http.StatusText(code)
}
