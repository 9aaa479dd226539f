package carreta

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/internal/money"
)

// Generated offers answer codes the catalog lacks, so a client can search any
// code and order what it finds. They must be the same for the same query on
// every run and every machine: the randomness comes from a SHA-256 of the
// scenario seed and the normalised query, fed to splitmix64, a generator
// small enough to keep here so that no library or Go release can change its
// output.

// rng is splitmix64 (Steele, Lea, Flood 2014).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn is uniform enough in [0, n) for n far below 2^64.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between is uniform in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// pick returns one of xs.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// maker is a real brand with the shape of its part numbers: '#' a digit,
// 'A' a capital letter, anything else kept as it is.
type maker struct {
	name    string
	pattern string
}

var makers = []maker{
	{"BOSCH", "0 ### ### ###"},
	{"MANN-FILTER", "W ###/##"},
	{"KNECHT/MAHLE", "OC ###"},
	{"FILTRON", "OP ###/#"},
	{"NGK", "AAAA#A"},
	{"DENSO", "DA-####"},
	{"TRW", "GDB####"},
	{"ATE", "##.####-####.#"},
	{"BREMBO", "P ## ###"},
	{"SACHS", "### ###"},
	{"KYB", "######"},
	{"MONROE", "G####"},
	{"GATES", "#PK####"},
	{"CONTITECH", "CT####"},
	{"SKF", "VKMA #####"},
	{"LEMFORDER", "##### ##"},
	{"FEBI BILSTEIN", "#####"},
	{"VALEO", "######"},
	{"HELLA", "#AA ### ###-###"},
	{"LUK", "### #### ##"},
	{"TOYOTA", "#####-#####"},
	{"HYUNDAI/KIA", "#####-#####"},
	{"NISSAN", "#####-#####"},
	{"VAG", "#A# ### ###A"},
}

// partNames are what the generated part is; one per query, since every offer
// for a code is the same part.
var partNames = []string{
	"Фильтр масляный", "Фильтр воздушный", "Фильтр салонный", "Фильтр топливный",
	"Колодки тормозные дисковые передние", "Колодки тормозные задние", "Диск тормозной",
	"Свеча зажигания", "Ремень ГРМ", "Ремень поликлиновой", "Ролик натяжной",
	"Амортизатор передний газовый", "Амортизатор задний", "Опора шаровая",
	"Наконечник рулевой тяги", "Сайлентблок рычага", "Подшипник ступицы",
	"Помпа водяная", "Термостат", "Датчик кислородный", "Катушка зажигания",
	"Щетка стеклоочистителя", "Лампа H7", "Комплект сцепления",
}

var descs = []string{"", "", "", "", "Оригинал", "Аналог", "Под заказ"}

// generateOffers makes n offers for a normalised code: first one to three
// offers of the code itself from different makers, then crosses in other
// makers' numbering. Across the offers qty takes all four forms in turn, some
// offers sell in packs (min_qty above 1) and some have no statistics.
func generateOffers(seed int64, norm string, n int) []Offer {
	h := sha256.New()
	h.Write([]byte("mockserver/carreta/generate/v1\x00"))
	h.Write(strconv.AppendInt(nil, seed, 10))
	h.Write([]byte{0})
	h.Write([]byte(norm))
	sum := h.Sum(nil)
	r := &rng{s: binary.BigEndian.Uint64(sum)}

	code := strings.ToUpper(norm)
	name := pick(r, partNames)
	base := r.between(150, 15000)
	direct := min(n, r.between(1, 3))
	form := r.intn(4)
	order := r.next() // which makers come first, without repeating any
	used := map[int]bool{}
	out := make([]Offer, 0, n)
	for i := range n {
		if len(used) == len(makers) {
			clear(used) // more offers than makers: makers repeat
		}
		mi := int((order + uint64(i)*7) % uint64(len(makers)))
		for used[mi] {
			mi = (mi + 1) % len(makers)
		}
		used[mi] = true
		mk := makers[mi]
		o := Offer{Maker: mk.name, Name: name, Desc: pick(r, descs), Code: code}
		if i >= direct {
			o.IsCross = true
			o.Code = fillPattern(r, mk.pattern)
		}
		rub := base * r.between(70, 160) / 100
		o.Price = money.Amount(int64(max(rub, 1))*100 + int64(pick(r, []int{0, 0, 0, 50, 90, r.intn(100)})))
		o.MinQty = 1
		if r.intn(4) == 0 {
			o.MinQty = pick(r, []int{2, 4, 10})
		}
		o.Qty = generatedQty(r, (form+i)%4, o.MinQty)
		o.PeriodMin = r.between(1, 14)
		o.PeriodMax = o.PeriodMin + r.between(0, 7)
		if r.intn(5) != 0 {
			st := r.between(40, 100)
			o.Stat = &st
		}
		out = append(out, o)
	}
	return out
}

// generatedQty writes a qty of the given form that at least one pack of
// minQty can be ordered from.
func generatedQty(r *rng, form, minQty int) string {
	switch QtyKind(form) {
	case QtyExact:
		return strconv.Itoa(minQty * r.between(1, 60))
	case QtyBelow:
		return "<" + strconv.Itoa(minQty*r.between(1, 3)+1)
	case QtyAbove:
		return ">" + strconv.Itoa(pick(r, []int{10, 20, 50, 100}))
	default:
		return inStock
	}
}

func fillPattern(r *rng, p string) string {
	b := make([]byte, len(p))
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '#':
			b[i] = byte('0' + r.intn(10))
		case 'A':
			b[i] = byte('A' + r.intn(26))
		default:
			b[i] = p[i]
		}
	}
	return string(b)
}
