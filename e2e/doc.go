// Package e2e holds the end-to-end tests: each starts the whole mock
// in-process (servertest.Start, or server.New on port 0) and drives it over
// real HTTP the way a user's client and test would.
//
// What lives here, by file:
//
//   - faults_test.go: every fault action, when form and match rule, and the
//     control API's fault routes, on real endpoints of the three APIs.
//   - phase_test.go: phase before changes nothing, phase after commits
//     though the client never hears of it, for each API.
//   - verification_test.go: the journal queries a test uses instead of
//     sleeping (list, count, wait), with the fault recorded per request.
//   - journal_test.go: the journal stays within its bound through the server.
//   - flaky_test.go: the shipped flaky scenario shows every action and when.
//   - shutdown_test.go: a shutdown cuts fault delays short.
//   - docs_test.go, readme_test.go: the examples of docs/faults.md and
//     README.md, kept true by running them; the README's Go example is
//     testdata/readme_example/shop_test.go, run as a module of its own.
//   - bench_test.go: what fault matching costs a request through the whole
//     handler.
//   - deploy_test.go: what can be checked of deploy/ without Docker or a
//     cluster.
//   - seeding_test.go: a frozen clock and a reset seed byte-identical
//     state; a test's mock of a scenario already seeded in the process is
//     a copy of that seeding, byte for byte, and a state of its own; two
//     password costs of one scenario never seed from one file.
//
// Unit tests stay beside their code (internal/fault, internal/journal, ...);
// the package has no non-test code but this comment.
package e2e
