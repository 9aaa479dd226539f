package server

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/request"
)

// This file holds the server's side of the OpenAPI documents (SPEC §13):
// --contract-check records the requests that do not conform, and
// Config.CheckAnswers hears of every answer that does not. Both are off by
// default and then cost nothing: no middleware is mounted, no document is
// parsed.

// loadContracts parses every API's document when requests are to be
// checked, so that a broken document stops the start rather than a request.
func (s *Server) loadContracts() error {
	if !s.cfg.ContractCheck {
		return nil
	}
	for _, a := range s.apis {
		if _, err := contract.For(a.Name()); err != nil {
			return err
		}
	}
	return nil
}

// requestViolations is how a vendor request departs from its API's
// document, for its journal entry; nil unless --contract-check is on. A
// message that quotes the request's path quotes path, the path as the
// journal shows it (redactPath: an escaped "?"'s api_key redacted).
func (w *World) requestViolations(c echo.Context, path string, info *request.Info) []journal.Violation {
	if !w.cfg.ContractCheck || !info.Vendor() {
		return nil
	}
	k, err := contract.For(info.API)
	if err != nil { // loadContracts already parsed it
		return []journal.Violation{{Path: "#", Message: err.Error()}}
	}
	var out []journal.Violation
	r := c.Request()
	for _, v := range k.Request(r, info.Body) {
		msg := v.Message
		if path != r.URL.Path {
			msg = strings.ReplaceAll(msg, r.URL.Path, path)
		}
		out = append(out, journal.Violation{Path: v.Path, Message: msg})
	}
	return out
}

// checkAnswers hands every vendor answer to Config.CheckAnswers when it does
// not conform to its API's document. It sits inside observe, so it sees the
// request's Info, and renders a handler's error itself, so it checks the
// bytes the client gets. An answer a fault rule made is not checked: faults
// break the contract on purpose.
func (w *World) checkAnswers(next echo.HandlerFunc) echo.HandlerFunc {
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
			w.cfg.CheckAnswers(contract.Report{API: info.API, Method: r.Method, Target: r.RequestURI,
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
