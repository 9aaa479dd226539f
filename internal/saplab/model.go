package saplab

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/password"
)

// The panel's rules as pure functions: no echo, no bbolt.

// Permissions of a manager group (SPEC §3): each panel route needs one
// (routes.go), and a scenario's manager groups may hold only these.
const (
	PermClientsRead   = "clients.read"
	PermClientsWrite  = "clients.write"
	PermBalanceWrite  = "balance.write"
	PermOrdersRead    = "orders.read"
	PermOrdersWrite   = "orders.write"
	PermOrdersPay     = "orders.pay"
	PermSettingsWrite = "settings.write"
	PermManagersRead  = "managers.read"
)

// Permissions lists every permission a manager group may hold.
var Permissions = []string{PermClientsRead, PermClientsWrite, PermBalanceWrite, PermOrdersRead,
	PermOrdersWrite, PermOrdersPay, PermSettingsWrite, PermManagersRead}

// maxID bounds ids read from paths and forms, so they fit PostgreSQL's
// bigint and every JSON client.
const maxID = 1<<53 - 1

// maxIDsPerRequest bounds the id lists of deny, pay, archive, unarchive
// and documents.
const maxIDsPerRequest = 1000

// parseID reads a panel id: a positive decimal integer (digits only) up to
// maxID. Every panel GET of a row reads one from its path, so it is one
// pass over the digits: strconv.ParseInt and then strings.TrimLeft with a
// cutset (which builds its byte set on each call) were an eighth of
// saplab's own work on a kept client form (issue 16, the vendors' small
// reads). Past maxID the digits are still checked, and nothing is
// multiplied further, so no length overflows.
func parseID(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= maxID {
			n = n*10 + int64(c-'0')
		}
	}
	return n, n >= 1 && n <= maxID
}

// parseIDs reads "19" or "19,20,21" (SPEC §6: deny, pay, archive, unarchive
// and documents take one id or a comma list; blanks around an id are
// allowed). Repeats count once.
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || n < 1 || n > maxID {
			return nil, badRequest(msgBadIDList, s)
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	if len(ids) > maxIDsPerRequest {
		return nil, badRequest(msgTooManyIDs, maxIDsPerRequest)
	}
	return ids, nil
}

// colorRe is a status colour as the form may send it.
var colorRe = regexp.MustCompile(`^#?[0-9A-Fa-f]{6}$`)

// statusColor is the panel's one rule for a status colour, for the status
// form and the scenario alike (docs/decisions/saplab.md, "Status colour"):
// six hex digits, a leading # allowed, kept upper-case without the #
// (saplab.txt stores "CBFFC9"); an empty colour is white, FFFFFF, as a
// status created without one. ok is false for anything else.
func statusColor(s string) (color string, ok bool) {
	if s == "" {
		return "FFFFFF", true
	}
	if !colorRe.MatchString(s) {
		return "", false
	}
	return strings.ToUpper(strings.TrimPrefix(s, "#")), true
}

// emailKey is how client emails compare for uniqueness: in any case,
// surrounding blanks ignored.
func emailKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// entryHistory is the history a position has when it enters the panel: the
// new status, then the accepted one, then the status it is in, each once,
// all written by the system (saplab.txt's examples start with
// "Приостановлено" and "Принято" by "Автоматически" at the same second).
// who names the author of the last step when it is neither of the first two.
func entryHistory(set settings, statuses map[int64]*status, statusID int64, at time.Time, who string) []historyEntry {
	var h []historyEntry
	add := func(id int64, by string) {
		if id == 0 || (len(h) > 0 && h[len(h)-1].StatusID == id) {
			return
		}
		e := historyEntry{Date: at, Manager: by, StatusID: id}
		if st := statuses[id]; st != nil {
			e.Status, e.Color = st.Name, st.Color
		}
		h = append(h, e)
	}
	add(set.NewStatusID, systemManager)
	if statusID != set.NewStatusID {
		add(set.AcceptedStatusID, systemManager)
		add(statusID, who)
	}
	return h
}

// DebtOf splits one position's total between debt and blocked_debt (SPEC §6):
// a position that is not paid, denied or archived is owed; it is blocked
// while it sits in the new ("suspended") status.
func DebtOf(payed, denied, archived, inNewStatus bool, total money.Amount) (debt, blocked money.Amount) {
	if payed || denied || archived {
		return 0, 0
	}
	if inNewStatus {
		return 0, total
	}
	return total, 0
}

// NormalizeArticle is how article filters compare part numbers: case and
// everything but letters and digits ignored, so "OC 47", "oc-47" and "OC47"
// are one article, as parts people type them.
func NormalizeArticle(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// WholesalerInfo is the organisation name the panel prints for a legal
// entity: type and quoted name, `ООО "Рога и Копыта"` (saplab.txt, the client
// list and form examples).
func WholesalerInfo(typ, orgName string) string {
	typ, orgName = strings.TrimSpace(typ), strings.TrimSpace(orgName)
	switch {
	case orgName == "":
		return typ
	case typ == "":
		return `"` + orgName + `"`
	}
	return typ + ` "` + orgName + `"`
}

// wholesalerInfo is WholesalerInfo of a client: empty for a private person.
func wholesalerInfo(c *client) string {
	if !c.IsWholesaler || c.Wholesaler == nil {
		return ""
	}
	return WholesalerInfo(c.Wholesaler.Type, c.Wholesaler.OrgName)
}

// displayName is how the panel names a client in messages: the organisation
// for a legal entity (saplab.txt, the pay examples), else the person.
func displayName(c *client) string {
	if info := wholesalerInfo(c); info != "" {
		return info
	}
	return c.Name
}

// CompareNames orders names like PostgreSQL's ru_RU collation does at its
// first level, which is how the panel sorts statuses (saplab.txt, the status
// list is alphabetical): case, spaces and punctuation ignored, ё right after
// е, digits before Latin before Cyrillic. Ties fall back to the bytes.
func CompareNames(a, b string) int {
	if c := slices.Compare(collationKey(a), collationKey(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// collationKey is a name's first-level weights for CompareNames.
func collationKey(s string) []int {
	key := make([]int, 0, len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r >= '0' && r <= '9':
			key = append(key, 1000+int(r))
		case r >= 'a' && r <= 'z':
			key = append(key, 2000+int(r))
		case r == 'ё':
			key = append(key, 3000+2*int('е'-'а')+1)
		case r >= 'а' && r <= 'я':
			w := 2 * int(r-'а')
			if r > 'е' {
				w += 2
			}
			key = append(key, 3000+w)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			key = append(key, 10000+int(r))
		}
	}
	return key
}

// Pages is how many pages of perPage rows total rows make (PHP's ceil).
func Pages(total int64, perPage int) int64 {
	if total <= 0 {
		return 0
	}
	return (total + int64(perPage) - 1) / int64(perPage)
}

// PayItem is one selected position, as pay sees it.
type PayItem struct {
	ID       int64
	ClientID int64
	Payed    bool
	Total    money.Amount
}

// PayClient is one client's side of a pay request.
type PayClient struct {
	ClientID int64
	Pay      []int64      // positions to pay, in request order
	Refund   []int64      // paid positions to refund
	Need     money.Amount // sum of the positions to pay
	Refunded money.Amount // sum of the positions to refund
}

// PlanPay groups a pay request by client, in the order clients first appear:
// GET /panel/order/pay toggles each position (saplab.txt: an unpaid one is
// paid, a paid one is refunded). Refunds are booked before payments, so one
// request can move money from one position to another.
func PlanPay(items []PayItem) []PayClient {
	var out []PayClient
	pos := map[int64]int{}
	for _, it := range items {
		k, ok := pos[it.ClientID]
		if !ok {
			k = len(out)
			pos[it.ClientID] = k
			out = append(out, PayClient{ClientID: it.ClientID})
		}
		pc := &out[k]
		if it.Payed {
			pc.Refund = append(pc.Refund, it.ID)
			pc.Refunded += it.Total
		} else {
			pc.Pay = append(pc.Pay, it.ID)
			pc.Need += it.Total
		}
	}
	return out
}

// Shortfall is how much a client must top up before the payments go through
// (0 when the balance, plus what this request refunds, covers them). SPEC §6:
// paying needs balance >= total; the credit limit does not count.
func Shortfall(balance money.Amount, pc PayClient) money.Amount {
	if miss := pc.Need - (balance + pc.Refunded); miss > 0 {
		return miss
	}
	return 0
}

// payComment is the ledger comment of paying a position (saplab.txt, the
// balance example: "Оплата позиции WEEN - 122-2412 (1 шт.)").
func payComment(o *order) string {
	return fmt.Sprintf(textPaid, o.Brand, o.Article, o.Quantity)
}

// refundComment is the ledger comment of a refunded position.
func refundComment(o *order) string {
	return fmt.Sprintf(textRefunded, o.Brand, o.Article, o.Quantity)
}

// PGTime prints a timestamp as PostgreSQL's text output does, in Moscow
// time: microseconds with trailing zeros dropped ("2017-04-11 21:31:24.48985"
// in the balance example), no fraction at all on a whole second.
func PGTime(t time.Time) string {
	return t.In(clock.Moscow).Format("2006-01-02 15:04:05.999999")
}

// HistoryTime prints a history entry's time the way the panel's PHP wrote it
// into the history JSON: date('Y-m-d H:i:s.u') in PHP's default zone, UTC,
// whose microseconds are always 000000 — the example shows
// "2017-01-15 19:02:43.000000" for a position added at 22:02:43.114625
// Moscow time.
func HistoryTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + ".000000"
}

// passwordFits reports whether bcrypt reads all of pw. The panel refuses a
// longer password rather than store one whose tail would not count, and a
// scenario may not seed one either.
func passwordFits(pw string) bool { return len(pw) <= password.MaxBytes }

// maxDiscount is the largest group discount, in percent, the panel's group
// form takes; a scenario's groups are held to it too.
const maxDiscount = 100

// maxQuantity and maxDeliveryDays bound a position: what the storefront
// lets a client order, so a seeded or posted position is one a shop could
// have taken.
const (
	maxQuantity     = 10000
	maxDeliveryDays = 365
)

// positionFault names a part of a position the storefront would refuse.
type positionFault int

const (
	faultBrand positionFault = iota
	faultArticle
	faultPrice
	faultInitialPrice
	faultQuantity
	faultDelivery
)

// positionLine is what positionFaults reads of a position, from a scenario
// row or a control-route body alike.
type positionLine struct {
	brand, article           string
	price, initialPrice      money.Amount
	quantity                 int64
	deliveryMin, deliveryMax int64
}

// positionFaults is the one rule for a position's own fields: brand and
// article given, prices not negative, a quantity of 1..maxQuantity, and a
// delivery window of whole days, 0 <= min <= max <= maxDeliveryDays. Who
// calls it words the problems for its reader (a scenario file, a control
// request).
func positionFaults(l positionLine) []positionFault {
	var out []positionFault
	if strings.TrimSpace(l.brand) == "" {
		out = append(out, faultBrand)
	}
	if strings.TrimSpace(l.article) == "" {
		out = append(out, faultArticle)
	}
	if l.price < 0 {
		out = append(out, faultPrice)
	}
	if l.initialPrice < 0 {
		out = append(out, faultInitialPrice)
	}
	if l.quantity < 1 || l.quantity > maxQuantity {
		out = append(out, faultQuantity)
	}
	if l.deliveryMin < 0 || l.deliveryMax < l.deliveryMin || l.deliveryMax > maxDeliveryDays {
		out = append(out, faultDelivery)
	}
	return out
}
