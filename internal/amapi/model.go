package amapi

// This file holds amapi's pure rules, with no echo and no bbolt: how a
// request body is read and validated (Laravel's rules as data), how
// Sanctum's tokens are read, hashed and made, how order codes are derived,
// and what bcrypt sees of a password. model_test.go table-tests each.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Input is a decoded request body: a JSON object whose numbers are kept as
// json.Number, so that 304 and 304.0 can both be read as the integer 304
// and the stored request keeps the client's own spelling.
type Input map[string]any

// DecodeInput reads a request body the way amapi's controllers see it. An
// empty body is an empty object (every required field then says so); a body
// that is not UTF-8, not JSON, or not one JSON object is refused with a
// message saying which (Laravel would silently see an empty request; the
// mock says what is wrong, docs/decisions/amapi.md).
func DecodeInput(body []byte) (Input, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return Input{}, nil
	}
	if !utf8.Valid(body) {
		return nil, errors.New(MsgBodyNotUTF8)
	}
	if strictjson.LoneSurrogate(body) {
		// PHP's json_decode fails on half a surrogate pair
		// (JSON_ERROR_UTF16), where Go's decoder reads U+FFFD.
		return nil, errors.New(MsgBodyNotJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errors.New(MsgBodyNotJSON)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New(MsgBodyNotJSON)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New(MsgBodyNotObject)
	}
	return obj, nil
}

// Kind is the JSON type a field must have.
type Kind int

// Field kinds. Integer and Numeric take what Laravel's integer and numeric
// rules take: numbers, and strings that spell one; an integer may be written
// as a float with no fraction (PHP clients send 304.0).
const (
	String Kind = iota
	Integer
	Numeric
	StringOrInteger
	Object
	List
	// Password is a string that is not trimmed (Laravel's TrimStrings
	// middleware leaves password fields alone).
	Password
)

// Field is the rule set of one input field, in the order Laravel would
// check them. Path names the field by its JSON keys; "*" stands for every
// element of a list ("items.*.price").
type Field struct {
	Path     string
	Kind     Kind
	Required bool
	// RequiredIf makes the field required when another top-level field
	// equals a value (Laravel's required_if).
	RequiredIf *Condition
	// Min is a lower bound: of the value for numbers, of the length in
	// characters for strings, of the count for lists.
	Min *float64
	// Max caps a string's length in characters (0: no cap).
	Max int
	// Email asks for an address (Laravel's email rule).
	Email bool
	// Confirmed asks for <field>_confirmation with the same value.
	Confirmed bool
}

// Condition is "Field equals Value".
type Condition struct {
	Field, Value string
}

func (c *Condition) holds(in Input) bool {
	s, ok := in[c.Field].(string)
	return ok && strings.TrimSpace(s) == c.Value
}

// Checks are extra rules that need state (unique email, the caller's own
// email, the current password): by field path, run on the field's trimmed
// string value once the built-in rules pass; a non-empty result is the
// field's message.
type Checks map[string]func(value string) string

func atLeast(v float64) *float64 { return &v }

// MaxMessages bounds the messages one answer lists. Laravel lists every
// problem, but a 1 MiB body of 100 000 empty items would then answer about
// 100 MB of escaped Russian; the first MaxMessages are what a client shows
// anyway (docs/decisions/amapi.md).
const MaxMessages = 100

// Validate applies rules to in and returns every problem as a Russian
// message naming the field, at most one per field (the first rule it
// breaks), in rule order, and at most MaxMessages of them.
func Validate(in Input, rules []Field, checks Checks) []string {
	var msgs []string
	name := make([]byte, 0, 64) // the located fields' names, rule after rule
	for _, f := range rules {
		for at := range expand(map[string]any(in), f.Path, &name) {
			if m := f.check(in, at, checks); m != "" {
				msgs = append(msgs, m)
				if len(msgs) == MaxMessages {
					return msgs
				}
			}
		}
	}
	return msgs
}

// located is one concrete field: its value and its dotted name, which is
// made only for a message (name): a valid order's rules name none of its
// fields, and joining "items.0.name" for each was a sixth of the
// allocations of an amapi write (issue 16).
type located struct {
	value any
	path  *[]byte // the dotted name, valid while the yield that got it runs
}

// name is the field's dotted name ("items.0.name").
func (l located) name() string { return string(*l.path) }

// expand resolves path against v: one field for a plain path, one per list
// element for each "*" (only non-empty objects, when more keys follow), in
// order. It yields them one at a time, so that Validate stops walking a
// list of 100 000 items once it has MaxMessages messages. The fields it
// yields share the name buffer buf: a located is used up before the next.
func expand(v any, path string, buf *[]byte) iter.Seq[located] {
	return func(yield func(located) bool) {
		// The path is walked with strings.Cut, not split into a slice:
		// every rule of every write walks its path (issue 16).
		*buf = (*buf)[:0]
		var walk func(v any, path string) bool
		walk = func(v any, path string) bool {
			key, rest, more := strings.Cut(path, ".")
			mark := len(*buf)
			if mark > 0 {
				*buf = append(*buf, '.')
			}
			defer func() { *buf = (*buf)[:mark] }()
			if key == "*" {
				list, _ := v.([]any)
				at := len(*buf)
				for i, el := range list {
					*buf = strconv.AppendInt((*buf)[:at], int64(i), 10)
					if !more {
						if !yield(located{el, buf}) {
							return false
						}
						continue
					}
					// An element that is not an object, or an empty one,
					// has its own message ("items.*"); its fields are not
					// listed.
					if obj, ok := el.(map[string]any); ok && len(obj) > 0 && !walk(el, rest) {
						return false
					}
				}
				return true
			}
			obj, _ := v.(map[string]any)
			child := obj[key]
			*buf = append(*buf, key...)
			if !more {
				return yield(located{child, buf})
			}
			return walk(child, rest)
		}
		walk(v, path)
	}
}

// check returns the message for the first rule the field at breaks, or "".
func (f Field) check(in Input, at located, checks Checks) string {
	if isEmpty(at.value, f.Kind) {
		switch {
		case f.Required:
			return fmt.Sprintf(fmtRequired, at.name())
		case f.RequiredIf != nil && f.RequiredIf.holds(in):
			return fmt.Sprintf(fmtRequiredIf, at.name(), f.RequiredIf.Field, f.RequiredIf.Value)
		}
		return "" // optional fields may be absent, null or blank
	}
	switch f.Kind {
	case String, Password:
		return f.checkString(in, at, checks)
	case Integer, Numeric, StringOrInteger:
		return f.checkNumber(at)
	case Object:
		if _, ok := at.value.(map[string]any); !ok {
			return fmt.Sprintf(fmtObject, at.name())
		}
	case List:
		list, ok := at.value.([]any)
		if !ok {
			return fmt.Sprintf(fmtArray, at.name())
		}
		if f.Min != nil && float64(len(list)) < *f.Min {
			return fmt.Sprintf(fmtMinArray, at.name(), num(*f.Min))
		}
	}
	return ""
}

// checkString applies the string rules to a present String or Password
// field, then the field's extra check, if any.
func (f Field) checkString(in Input, at located, checks Checks) string {
	s, ok := at.value.(string)
	if !ok {
		return fmt.Sprintf(fmtString, at.name())
	}
	if f.Kind == String {
		s = strings.TrimSpace(s)
	}
	n := utf8.RuneCountInString(s)
	switch {
	case f.Min != nil && float64(n) < *f.Min:
		return fmt.Sprintf(fmtMinString, at.name(), num(*f.Min))
	case f.Max > 0 && n > f.Max:
		return fmt.Sprintf(fmtMaxString, at.name(), strconv.Itoa(f.Max))
	case f.Email && !check.IsEmail(s):
		return fmt.Sprintf(fmtEmail, at.name())
	case f.Confirmed && in[lastKey(f.Path)+"_confirmation"] != at.value:
		return fmt.Sprintf(fmtConfirmed, at.name())
	}
	if c := checks[f.Path]; c != nil {
		return c(s)
	}
	return ""
}

// notNumber is the message of each number kind for a value it cannot read.
var notNumber = map[Kind]string{Integer: fmtInteger, Numeric: fmtNumeric, StringOrInteger: fmtStrOrInt}

// checkNumber applies the number rules to a present Integer, Numeric or
// StringOrInteger field (for the last, any string passes).
func (f Field) checkNumber(at located) string {
	if _, isStr := at.value.(string); isStr && f.Kind == StringOrInteger {
		return ""
	}
	var v float64
	var ok bool
	if f.Kind == Numeric {
		v, ok = AsNumber(at.value)
	} else {
		var i int64
		i, ok = AsInteger(at.value)
		v = float64(i)
	}
	if !ok {
		return fmt.Sprintf(notNumber[f.Kind], at.name())
	}
	if f.Min != nil && v < *f.Min {
		return fmt.Sprintf(fmtMinNumeric, at.name(), num(*f.Min))
	}
	return ""
}

// isEmpty is Laravel's view of a missing value: absent, null, a blank
// string (TrimStrings and ConvertEmptyStringsToNull ran first), an empty
// list or object.
func isEmpty(v any, k Kind) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		if k == Password {
			return v == ""
		}
		return strings.TrimSpace(v) == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

func lastKey(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// maxExactFloat is the largest integer a float64 holds exactly; a float
// beyond it cannot be trusted to be the integer the client meant.
const maxExactFloat = 1 << 53

var (
	integerText = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalText = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// AsInteger reads v as Laravel's integer rule does: a JSON integer, a
// float without fraction (304.0), or a string spelling an integer, within
// the range of a 64-bit integer. Booleans, fractions and huge numbers are
// not integers.
func AsInteger(v any) (int64, bool) {
	text, ok := numberText(v, integerText)
	if !ok {
		return 0, false
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > maxExactFloat {
		return 0, false
	}
	return int64(f), true
}

// AsNumber reads v as Laravel's numeric rule does: a JSON number or a
// string spelling a decimal number. Numbers too large for a float (1e400)
// are refused rather than read as infinity.
func AsNumber(v any) (float64, bool) {
	text, ok := numberText(v, decimalText)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// numberText is the text of a JSON number, or of a string when it is
// spelled as the pattern says (strconv alone would also take "0x10", "Inf").
func numberText(v any, spelled *regexp.Regexp) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		text := strings.TrimSpace(v)
		return text, spelled.MatchString(text)
	}
	return "", false
}

// MaxStringLen is Laravel Breeze's max:255 on the users table's columns;
// MinPasswordLen its Password::defaults() minimum. The scenario check of
// seeded users uses them too.
const (
	MaxStringLen   = 255
	MinPasswordLen = 8
)

// The rules of each endpoint. Optional fields are checked only when sent;
// none of them is required beyond what SPEC §4 lists, and no rule ties two
// fields together except address/deliveryType, so every documented example
// passes (its summWithoutDelivery of 0 beside prices of 12554, its
// Cloudflare-mangled "[email protected]", its lgsTerminalId sent as a string).
var (
	// RegisterRules are Laravel Breeze's: name, a unique address, a
	// confirmed password of at least 8 characters.
	RegisterRules = []Field{
		{Path: "name", Kind: String, Required: true, Max: MaxStringLen},
		{Path: "email", Kind: String, Required: true, Max: MaxStringLen, Email: true},
		{Path: "password", Kind: Password, Required: true, Min: atLeast(MinPasswordLen), Confirmed: true},
	}
	// LoginRules only ask for both credentials; whether they match is
	// answered with the vendor's one message.
	LoginRules = []Field{
		{Path: "email", Kind: String, Required: true},
		{Path: "password", Kind: Password, Required: true},
	}
	// ChangePasswordRules: the email is checked against the caller's
	// (so no format rule: the documented placeholder must pass), the old
	// password against the current one.
	ChangePasswordRules = []Field{
		{Path: "email", Kind: String, Required: true},
		{Path: "old_password", Kind: Password, Required: true},
		{Path: "password", Kind: Password, Required: true, Min: atLeast(MinPasswordLen), Confirmed: true},
	}
	itemRules = []Field{
		{Path: "items", Kind: List, Required: true, Min: atLeast(1)},
		{Path: "items.*", Kind: Object, Required: true},
		{Path: "items.*.productId", Kind: Integer, Required: true, Min: atLeast(1)},
		{Path: "items.*.itemId", Kind: Integer, Required: true, Min: atLeast(1)},
		{Path: "items.*.name", Kind: String, Required: true},
		{Path: "items.*.price", Kind: Numeric, Required: true, Min: atLeast(0)},
		{Path: "items.*.quantity", Kind: Integer, Required: true, Min: atLeast(1)},
		{Path: "items.*.deliveryPrice", Kind: Numeric, Min: atLeast(0)},
		{Path: "items.*.status", Kind: Integer},
	}
	// CreateOrderRules follow the create-order example field by field.
	CreateOrderRules = append([]Field{
		{Path: "name", Kind: String, Required: true},
		{Path: "email", Kind: String, Required: true},
		{Path: "phone", Kind: String, Required: true},
		{Path: "deliveryType", Kind: String, Required: true},
		{Path: "deliveryCompany", Kind: String},
		{Path: "lgsTerminalId", Kind: StringOrInteger},
		{Path: "lgsCompanyId", Kind: Integer, Min: atLeast(0)},
		{Path: "lgsTariffId", Kind: Integer, Min: atLeast(0)},
		{Path: "address", Kind: Object, RequiredIf: &Condition{Field: "deliveryType", Value: "address"}},
		{Path: "address.city", Kind: String},
		{Path: "address.street", Kind: String},
		{Path: "address.house", Kind: String},
		{Path: "address.latitude", Kind: Numeric},
		{Path: "address.longitude", Kind: Numeric},
		{Path: "address.kladr", Kind: String},
		{Path: "paymentOption", Kind: Integer, Min: atLeast(0)},
		{Path: "desiredDeliveryDate", Kind: Integer, Min: atLeast(0)},
		{Path: "desiredDeliveryInterval", Kind: String},
		{Path: "deliveryIntervalCost", Kind: Numeric, Min: atLeast(0)},
		{Path: "totalDeliveryPrice", Kind: Numeric, Min: atLeast(0)},
		{Path: "summWithoutDelivery", Kind: Numeric, Min: atLeast(0)},
		{Path: "totalWeight", Kind: Numeric, Min: atLeast(0)},
		{Path: "totalVolume", Kind: Numeric, Min: atLeast(0)},
	}, itemRules...)
	// BuyClickRules: phone, name and items (SPEC §4), the rest as sent.
	BuyClickRules = append([]Field{
		{Path: "phone", Kind: String, Required: true},
		{Path: "email", Kind: String},
		{Path: "name", Kind: String, Required: true},
		{Path: "totalWeight", Kind: Numeric, Min: atLeast(0)},
		{Path: "totalVolume", Kind: Numeric, Min: atLeast(0)},
	}, itemRules...)
	// CallbackRules: phone and name.
	CallbackRules = []Field{
		{Path: "phone", Kind: String, Required: true},
		{Path: "name", Kind: String, Required: true},
	}
)

// orderKind is one of the three ways to ask the shop for something; all of
// them answer the same way and are stored together, their kind by name.
type orderKind struct {
	name  string
	rules []Field
}

var (
	createOrder = orderKind{"create-order", CreateOrderRules}
	buyClick    = orderKind{"buy-click", BuyClickRules}
	callback    = orderKind{"callback", CallbackRules}
)

// SanctumToken is the form of a Laravel Sanctum plain-text token as Sanctum
// issues it: "<id>|<40 letters and digits>".
var SanctumToken = regexp.MustCompile(`^[1-9][0-9]*\|[A-Za-z0-9]{40}$`)

// IsBareToken reports the other form Sanctum accepts: a token without "|", looked
// up by the hash of the whole string. The vendor document's examples send
// such tokens ("Bearer 1Dg4PfVhaEcve36Z56dk8ab"); a scenario may seed them so
// the examples work as pasted. Letters and digits, 16 to 255 of them: a
// shorter one is more likely a typo than a token.
//
// A loop, not the regexp ^[A-Za-z0-9]{16,255}$: compiling that one at
// package init unrolled the repeat into 2,700 allocations, about a
// millisecond of every start of the binary, `mockserver version` included.
func IsBareToken(s string) bool {
	if len(s) < 16 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// fitsBigint reports whether a token id fits personal_access_tokens.id, a
// signed bigint in Laravel. A larger one cannot be seeded, and one near
// 2^64 would wrap the id counter so that tokens issued later never work.
func fitsBigint(id string) bool {
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

// BearerToken extracts the token from an Authorization header as Laravel's
// Request::bearerToken does: the text after the last "Bearer " (case
// sensitive), cut at the first comma. ok is false when there is none.
func BearerToken(header string) (string, bool) {
	i := strings.LastIndex(header, "Bearer ")
	if i < 0 {
		return "", false
	}
	t := header[i+len("Bearer "):]
	if j := strings.IndexByte(t, ','); j >= 0 {
		t = t[:j]
	}
	return t, t != ""
}

// TokenRef is how Sanctum finds a plain-text token: "<id>|<secret>" names
// its row and the secret is compared with the row's hash; a token without
// "|" is looked up by the hash of the whole string.
type TokenRef struct {
	// ID is the row for the "<id>|<secret>" form, 0 for the other.
	ID uint64
	// Hash is the hex SHA-256 of the secret part (or of the whole token).
	Hash string
}

// ParseToken reads a bearer token as Sanctum's guard does
// (isValidBearerToken, then PersonalAccessToken::findToken). ok is false
// for a "|" form whose id is not all digits or whose secret is empty.
func ParseToken(token string) (TokenRef, bool) {
	idText, secret, hasPipe := strings.Cut(token, "|")
	if !hasPipe {
		if token == "" {
			return TokenRef{}, false
		}
		return TokenRef{Hash: HashToken(token)}, true
	}
	if idText == "" || secret == "" || strings.Trim(idText, "0123456789") != "" {
		return TokenRef{}, false
	}
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil || id == 0 {
		return TokenRef{}, false
	}
	return TokenRef{ID: id, Hash: HashToken(secret)}, true
}

// HashToken is what Sanctum stores in personal_access_tokens.token:
// hash('sha256', $plainText).
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomSecret is Str::random(40): 40 letters and digits from crypto/rand,
// drawn without modulo bias.
func randomSecret() string {
	const n = 40
	out := make([]byte, 0, n)
	buf := make([]byte, 64)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4*62: keeps every letter equally likely
				out = append(out, alphanumerics[b%62])
			}
		}
	}
	return string(out)
}

// plainToken is the "<id>|<secret>" Sanctum hands out once.
func plainToken(id uint64, secret string) string {
	return strconv.FormatUint(id, 10) + "|" + secret
}

// OrderCode is the code of the id-th order under a scenario seed, in the
// documented form XX0000-00000 (amapi.txt's 201 example): two capital
// letters, four digits, a dash, five digits. It depends only on seed, id
// and attempt, so a scenario replayed gives the same codes; attempt moves
// on to another code in the (about one in 10^11) case that one is taken.
//
// It is spelt out digit by digit, not with fmt: every create-order makes
// one, inside its transaction (issue 16).
func OrderCode(seed int64, id uint64, attempt int) string {
	const prefix = "amapi-order-code:"
	var in [len(prefix) + 24]byte
	copy(in[:], prefix)
	binary.BigEndian.PutUint64(in[len(prefix):], uint64(seed))
	binary.BigEndian.PutUint64(in[len(prefix)+8:], id)
	binary.BigEndian.PutUint64(in[len(prefix)+16:], uint64(attempt))
	sum := sha256.Sum256(in[:])
	n := binary.BigEndian.Uint64(sum[:8])
	l1, n := n%26, n/26
	l2, n := n%26, n/26
	d4, n := n%10000, n/10000
	d5 := n % 100000
	code := [12]byte{'A' + byte(l1), 'A' + byte(l2), 6: '-'}
	for i := 5; i >= 2; i-- {
		code[i], d4 = '0'+byte(d4%10), d4/10
	}
	for i := 11; i >= 7; i-- {
		code[i], d5 = '0'+byte(d5%10), d5/10
	}
	return string(code[:])
}

// bcryptInput is what PHP's password_hash and password_verify see of a
// password: its first password.MaxBytes (72) bytes.
func bcryptInput(pw string) []byte {
	b := []byte(pw)
	if len(b) > password.MaxBytes {
		b = b[:password.MaxBytes]
	}
	return b
}

// emailKey is how emails are compared: MySQL's default collation ignores
// case (and Laravel's TrimStrings has trimmed the request's copy).
func emailKey(email string) []byte { return []byte(strings.ToLower(strings.TrimSpace(email))) }

// restamp reports whether a token last used at lastUsed (nil: never) and
// updated at updated must be written again to record a use at now, all in
// Laravel's second-resolution form: not when both already hold now, since
// the rewrite would store the same bytes. A client that writes many times
// a second then commits its order and code alone, not the token's page
// too, which at one writer is one page in seven of every commit, each
// flushed by its fsync (issue 16; docs/decisions.md).
func restamp(lastUsed *string, updated, now string) bool {
	return lastUsed == nil || *lastUsed != now || updated != now
}
