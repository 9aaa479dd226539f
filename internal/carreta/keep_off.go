//go:build nokeep

package carreta

// answersOff is true in a binary built with -tags nokeep: every list and
// order answer is made, as after a write, so that bench/run.sh scale
// (KEPT=0) measures what a page costs over HTTP, not a map lookup. Only
// benchmarks build it; a build tag rather than a flag or an environment
// variable keeps the shipped binary free of a switch no user needs.
const answersOff = true
