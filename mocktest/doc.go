// Package mocktest runs mockserver from Go tests: the three vendor APIs
// (amapi under /api, carreta under /v1, saplab under /panel) and their
// control API, through a typed handle instead of hand-written JSON.
//
// There are two ways to get a handle, and both give the same *Mock:
//
//   - New starts the whole mock in-process on 127.0.0.1 with a free port
//     and a state file in t.TempDir(), and stops it when the test ends, as
//     net/http/httptest does. Nothing has to run beforehand.
//   - Connect attaches to a server that is already running (a container in
//     CI) and creates a world of its own for the test: a complete mock
//     (state, request journal, fault rules, clock, scenario) reached under
//     /w/<id>, deleted when the test ends. Tests that call t.Parallel and
//     Connect to one server never see each other's orders, faults, clock
//     moves or resets.
//
// A test points the code under test at URL, or at AmapiURL, CarretaURL and
// SaplabURL, then arms faults (Faults), moves the clock (Clock), reads the
// stored rows (State) and verifies what the mock received (Requests). The
// demo identities of the default scenario are constants (AmapiEmail,
// CarretaAPIKey, SaplabOwnerLogin, ...).
//
// Every method takes a context and returns the server's refusal as an
// *Error carrying its status, message and problems; New and Connect fail
// the test themselves when the mock cannot be set up.
package mocktest
