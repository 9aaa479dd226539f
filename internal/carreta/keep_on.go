//go:build !nokeep

package carreta

// answersOff is false: the shipped binary keeps list and order answers
// until the next write (orders.go, keepAnswers).
const answersOff = false
