package server

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/request"
)

// This file holds the server's side of the OpenAPI documents (SPEC §13):
// Config.CheckAnswers hears of every answer that does not conform. It is
// off by default and then costs nothing: no middleware is mounted, no
// document is parsed.

// checkAnswers hands every vendor answer to Config.CheckAnswers when it does
// not conform to its API's document. It sits inside observe, so it sees the
// request's Info, and renders a handler's error itself, so it checks the
// bytes the client gets. An answer a fault rule made is not checked: faults
// break the contract on purpose.
func (s *Server) checkAnswers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		info := request.From(c)
		if !info.Vendor() {
			return next(c)
		}
		res := c.Response()
		rec := &recorder{ResponseWriter: res.Writer}
		res.Writer = rec
		if err := next(c); err != nil {
			c.Error(err)
		}
		res.Writer = rec.ResponseWriter
		if info.Fault != "" {
			return nil
		}
		r := c.Request()
		var vs []contract.Violation
		if k, err := contract.For(info.API); err != nil {
			vs = []contract.Violation{{Path: "#", Message: err.Error()}}
		} else {
			vs = k.Response(r, res.Status, res.Header(), rec.body.Bytes())
		}
		if len(vs) > 0 {
			s.cfg.CheckAnswers(contract.Report{API: info.API, Method: r.Method, Target: r.RequestURI,
				Status: res.Status, Body: rec.body.Bytes(), Violations: vs})
		}
		return nil
	}
}

// recorder passes an answer through and keeps a copy of its body.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

// Write sends b and keeps a copy (callers may reuse b: saplab's list pages
// do).
func (w *recorder) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes, and
// the fault rules that hijack it).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Routes lists every route the server registers, for the test that holds
// the OpenAPI documents to them.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }
