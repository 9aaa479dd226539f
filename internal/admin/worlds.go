package admin

import (
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Worlds is what the root's control API needs of the server's worlds
// (SPEC §10). Only the root world is handed one: a world's own control API
// manages that world alone, never the others.
type Worlds interface {
	// Create seeds a new world from sc, kept for ttl after its last
	// request, with a listener of its own when listen is set. At the
	// limit it returns an error wrapping ErrWorldLimit.
	Create(sc *scenario.Scenario, ttl time.Duration, listen bool) (World, error)
	// List describes every live world, oldest first.
	List() []World
	// Delete removes a world and its file; false when there is no such
	// world.
	Delete(id string) bool
}

// World describes one world for the control API.
type World struct {
	ID     string
	Prefix string // "/w/<id>"
	// Scenario is the name of the scenario the world was created from.
	Scenario string
	Created  time.Time
	// Expires is when the world goes unless a request comes first.
	Expires time.Time
	// Requests counts the requests the world has answered.
	Requests int64
	// ListenAddr is the world's own listener ("" without one).
	ListenAddr string
}

// ErrWorldLimit is what Worlds.Create wraps at --max-worlds: a 429.
var ErrWorldLimit = errors.New("world limit reached")

// Bounds of a world's ttl (SPEC §10).
const (
	DefaultWorldTTL = 30 * time.Minute
	MaxWorldTTL     = 24 * time.Hour
)

// worldRequest is the body of POST /__admin/worlds, every key optional.
type worldRequest struct {
	// Scenario is a scenario's name (as ?name= takes it) or its YAML or
	// JSON text; empty means the default scenario.
	Scenario string `json:"scenario"`
	TTL      string `json:"ttl"`
	Listen   bool   `json:"listen"`
}

// worldView is how the control API shows a world: the created answer
// (with listen_url when it has a listener of its own) and a list row
// (with requests).
type worldView struct {
	ID        string    `json:"id"`
	Prefix    string    `json:"prefix"`
	URL       string    `json:"url"`
	ListenURL string    `json:"listen_url,omitempty"`
	Scenario  string    `json:"scenario"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Requests  *int64    `json:"requests,omitempty"`
}

// Messages of the worlds routes.
const (
	msgWorldBody     = `send {"scenario": "default" or a scenario's YAML or JSON text, "ttl": "30m", "listen": false}, every key optional`
	msgWorldTTL      = "ttl must be a duration from 1s to 24h, like 30m, got %q"
	msgWorldProblems = "the scenario has problems; no world was created"
	msgNoWorld       = "no such world: %s"
)

// registerWorlds mounts the worlds routes (SPEC §10) on the root's control
// API.
func registerWorlds(g *echo.Group, h handlers) {
	g.POST("/worlds", h.createWorld)
	g.GET("/worlds", h.listWorlds)
	g.DELETE("/worlds/:id", h.deleteWorld)
}

// createWorld makes a world from the body's scenario, ttl and listen.
func (h handlers) createWorld(c echo.Context) error {
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, "could not read the body: %v", err)
	}
	var req worldRequest
	if strings.TrimSpace(string(body)) != "" {
		if err := strictjson.Decode(body, &req); err != nil {
			return api.Controlf(http.StatusBadRequest, "%s: %v", msgWorldBody, err)
		}
	}
	ttl := DefaultWorldTTL
	if req.TTL != "" {
		if ttl, err = time.ParseDuration(req.TTL); err != nil || ttl < time.Second || ttl > MaxWorldTTL {
			return api.Controlf(http.StatusBadRequest, msgWorldTTL, req.TTL)
		}
	}
	sc, err := h.worldScenario(req.Scenario)
	if err != nil {
		return scenarioError(err, msgWorldProblems)
	}
	w, err := h.Worlds.Create(sc, ttl, req.Listen)
	if errors.Is(err, ErrWorldLimit) {
		return api.Controlf(http.StatusTooManyRequests, "%v", err)
	}
	if err != nil {
		return api.Controlf(http.StatusInternalServerError, "the world could not be created: %v", err)
	}
	return c.JSON(http.StatusCreated, view(c, w, false))
}

// scenarioName is what a scenario's name looks like; anything else in
// "scenario" is a scenario's text.
var scenarioName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// worldScenario reads the "scenario" of a world request: a name, as
// POST /__admin/scenario?name= finds it, or YAML or JSON text, as that
// route reads its body; the default scenario when empty.
func (h handlers) worldScenario(s string) (*scenario.Scenario, error) {
	switch {
	case s == "":
		return h.Control.LoadNamed(scenario.DefaultName)
	case scenarioName.MatchString(s):
		return h.Control.LoadNamed(s)
	}
	return h.Control.ParseBody([]byte(s))
}

// listWorlds lists the live worlds.
func (h handlers) listWorlds(c echo.Context) error {
	out := struct {
		Worlds []worldView `json:"worlds"`
	}{Worlds: []worldView{}}
	for _, w := range h.Worlds.List() {
		out.Worlds = append(out.Worlds, view(c, w, true))
	}
	return c.JSON(http.StatusOK, out)
}

// deleteWorld removes a world and its file.
func (h handlers) deleteWorld(c echo.Context) error {
	if !h.Worlds.Delete(c.Param("id")) {
		return api.Controlf(http.StatusNotFound, msgNoWorld, c.Param("id"))
	}
	return c.NoContent(http.StatusNoContent)
}

// view is w as the control API shows it. Its URLs are built from the
// request's host, so a client reaches the world the way it reached the
// server; listen_url takes the host's name and the world's own port.
func view(c echo.Context, w World, listed bool) worldView {
	r := c.Request()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	v := worldView{ID: w.ID, Prefix: w.Prefix, URL: scheme + "://" + r.Host + w.Prefix, Scenario: w.Scenario,
		Created: w.Created, Expires: w.Expires}
	if w.ListenAddr != "" {
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		_, port, _ := net.SplitHostPort(w.ListenAddr)
		v.ListenURL = scheme + "://" + net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	if listed {
		v.Requests = &w.Requests
	}
	return v
}

// NoSuchWorld is the answer for a /w/<id> prefix of no live world: the
// control API's shape, since the path names no API of any world.
func NoSuchWorld(id string) *api.ControlError {
	return api.Controlf(http.StatusNotFound, msgNoWorld, id)
}
