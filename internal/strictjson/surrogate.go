package strictjson

// LoneSurrogate reports whether a JSON string in data escapes half of a
// UTF-16 surrogate pair on its own ("\ud800", or "\udc00" with no high half
// before it). Go's decoder reads one as U+FFFD; PHP's json_decode fails on
// it (JSON_ERROR_UTF16) and a PostgreSQL text column could not store it,
// so the vendor APIs refuse such a body as they refuse any other JSON they
// cannot read. It scans bytes once and never fails: text outside strings
// and malformed escapes are the decoder's to judge.
func LoneSurrogate(data []byte) bool {
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i++ // \" \\ \n ...: the next byte is escaped
				continue
			}
			r, ok := hex4(data, i+2)
			switch {
			case !ok:
				i++
			case r >= 0xDC00 && r <= 0xDFFF:
				return true // a low half with no high half before it
			case r >= 0xD800 && r <= 0xDBFF:
				low, ok := -1, i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u'
				if ok {
					low, ok = hex4(data, i+8)
				}
				if !ok || low < 0xDC00 || low > 0xDFFF {
					return true
				}
				i += 11
			default:
				i += 5
			}
		}
	}
	return false
}

// hex4 reads the four hex digits at data[i:i+4].
func hex4(data []byte, i int) (int, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	v := 0
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
