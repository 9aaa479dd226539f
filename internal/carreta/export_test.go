package carreta

// ParseID lets the black-box tests table-test the unexported parseID rule.
var ParseID = parseID

// KeepAnswers turns the kept list and order answers on or off
// (BenchmarkScalePages measures pages made) and returns the old setting.
func KeepAnswers(on bool) bool { return keepAnswers.Swap(on) }
