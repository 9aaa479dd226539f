package strictjson

// SkipSpace is the index of the first byte of data at or after i that is
// not JSON white space (len(data) when none is).
//
// SkipSpace and StringEnd are the token steps that the byte scanners of
// JSON share (redact's secrets in a body kept as sent, carreta's members
// of an order read without reflection), so each rule is written once.
func SkipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// StringEnd is the index after the closing quote of the JSON string that
// opens at data[i], or -1 when it is not closed. An escaped quote does not
// close it; escapes are not otherwise checked.
func StringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}
