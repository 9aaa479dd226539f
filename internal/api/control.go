package api

import "fmt"

// ControlError is an error of the control API (/__admin), rendered as
// {"error": "...", "problems": [...]}. It lives here, beside the contract
// every API implements, so that a vendor package's own control routes
// (POST /__admin/saplab/orders, ...) answer in the control API's shape
// without importing the control plane.
type ControlError struct {
	Status   int      `json:"-"`
	Message  string   `json:"error"`
	Problems []string `json:"problems,omitempty"`
}

// Error is the message.
func (e *ControlError) Error() string { return e.Message }

// Controlf is a ControlError with a formatted message.
func Controlf(status int, format string, args ...any) *ControlError {
	return &ControlError{Status: status, Message: fmt.Sprintf(format, args...)}
}
