package saplab

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
)

// The generator makes the scenario's `generate: {clients, orders}` rows:
// Russian people and companies, real parts, positions in every status, some
// paid, denied or archived, and the ledger entries that pay for them. It
// draws from one PCG seeded with the scenario seed and reads no clock, so
// the same scenario gives the same bytes on every run. gofakeit has no
// Russian names, addresses or parts, so the vocabularies are here.

var (
	genSurnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
		"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
		"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
		"Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев",
		"Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов",
		"Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов"}
	genMale = []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл",
		"Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван", "Денис", "Евгений", "Тимофей", "Владимир",
		"Павел", "Олег", "Виктор", "Игорь", "Юрий", "Николай", "Константин", "Руслан", "Вадим", "Григорий"}
	genFemale = []string{"Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Екатерина", "Светлана",
		"Юлия", "Анастасия", "Дарья", "Марина", "Людмила", "Валентина", "Галина", "Ксения", "Алина", "Виктория", "Полина"}
	genPatronymic = []string{"Александров", "Дмитриев", "Сергеев", "Андреев", "Алексеев", "Михайлов", "Иванов",
		"Николаев", "Владимиров", "Викторов", "Петров", "Юрьев", "Олегов", "Евгеньев", "Павлов", "Игорев"}
	genCities = []string{"Москва", "Санкт-Петербург", "Уфа", "Казань", "Екатеринбург", "Новосибирск", "Самара",
		"Нижний Новгород", "Челябинск", "Ростов-на-Дону", "Пермь", "Воронеж", "Краснодар", "Стерлитамак", "Тюмень"}
	genStreets = []string{"ул. Ленина", "ул. Мира", "пр. Октября", "ул. Гагарина", "ул. Советская", "ул. Пушкина",
		"ул. Кирова", "ул. Садовая", "ул. Лесная", "ул. Молодёжная", "ул. Школьная", "ул. Заводская",
		"Бакалинская ул.", "ул. Менделеева", "ул. Комсомольская", "ул. Первомайская", "пр. Победы", "ул. Чапаева"}
	genDomains   = []string{"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru"}
	genOrgTypes  = []string{"ООО", "ООО", "ООО", "ИП", "АО", "ПАО", "ЗАО"}
	genOrgWords  = []string{"Автомир", "Запчасть-Сервис", "Гараж", "Мотор", "Драйв", "Колесо", "Механика", "Автоцентр", "Поршень", "Трасса", "Вектор", "Магистраль", "Техноавто", "Деталь"}
	genBanks     = []string{"Сбербанк", "ВТБ", "Альфа-Банк", "Газпромбанк", "Т-Банк", "Райффайзенбанк", "Открытие"}
	genComments  = []string{"Позвонить перед доставкой", "Срочно", "Оплата при получении", "Нужен чек", "Проверить кросс-номер", "Доставить после 18:00"}
	genClientNts = []string{"", "", "", "Хороший клиент", "Постоянный клиент", "Просит звонить заранее", "Оптовик", "Плохой клиент"}
)

// genPart is a catalog part: a real brand, article and name, and a typical
// price in kopecks.
type genPart struct {
	brand, article, name string
	price                money.Amount
}

var genParts = []genPart{
	{"KNECHT/MAHLE", "OC47", "Фильтр масляный", 15202}, {"MANN-FILTER", "W 712/75", "Фильтр масляный", 31840},
	{"FILTRON", "OP 520", "Фильтр масляный", 17600}, {"BOSCH", "0 451 103 316", "Фильтр масляный", 40215},
	{"KITTO", "AC108", "Фильтр салонный(угольный)", 21286}, {"NGK", "BKR6E", "Свеча зажигания", 18900},
	{"BOSCH", "FR7DC+", "Свеча зажигания", 21430}, {"TRW", "GDB1330", "Колодки тормозные дисковые передние", 231570},
	{"BOSCH", "0 986 424 797", "Колодки тормозные дисковые", 254000}, {"LPR", "573031B", "Колодки тормозные", 149999},
	{"TOYOTA", "90915-YZZD4", "Фильтр масляный", 84500}, {"HYUNDAI/KIA", "26300-35505", "Фильтр масляный", 51244},
	{"GATES", "6PK1193", "Ремень поликлиновой", 121000}, {"SACHS", "313 408", "Амортизатор задний газовый", 487050},
	{"KILEN", "12133", "Пружина передняя", 395807}, {"UFI", "30.896.00", "Воздушный фильтр", 47338},
	{"MONROE", "G16287", "Амортизатор передний", 298900}, {"MONROE", "G16768", "Амортизатор задний", 310400},
	{"PATRON", "PSA333222", "Стойка стабилизатора", 170700}, {"LYNX", "PR48620", "Фильтр топливный", 27000},
	{"WEEN", "122-2412", "Датчик температуры", 10900}, {"LEMFORDER", "25823 01", "Рычаг подвески", 645000},
	{"SKF", "VKBA 3525", "Подшипник ступицы, комплект", 389000}, {"CONTITECH", "CT1028K2", "Комплект ГРМ", 742000},
	{"VALEO", "826317", "Комплект сцепления", 1290000}, {"DENSO", "DCP17036", "Конденсатор кондиционера", 845000},
	{"FEBI", "23452", "Опора двигателя", 215000}, {"NISSENS", "63022A", "Радиатор охлаждения", 689000},
	{"BREMBO", "09.A820.11", "Диск тормозной", 412000}, {"ATE", "24.0122-0259.1", "Диск тормозной", 356000},
	{"CASTROL", "15669A", "Масло моторное 5W-30 4л", 389900}, {"MOBIL", "152566", "Масло моторное 0W-40 4л", 452000},
	{"VARTA", "560408054", "Аккумулятор 60Ач", 789000}, {"OSRAM", "64210", "Лампа H7", 45000},
	{"PHILIPS", "12972PRC1", "Лампа H7 Vision", 52000}, {"CHAMPION", "AFR12", "Щётка стеклоочистителя", 39000},
	{"SWAG", "30 92 7844", "Наконечник рулевой тяги", 98000}, {"CORTECO", "19016632B", "Сальник коленвала", 31000},
	{"ELRING", "476.740", "Прокладка клапанной крышки", 125000}, {"NK", "203331", "Колодки тормозные задние", 132000},
}

// Generation window: fixed dates, not the clock, so runs repeat exactly.
var (
	genClientsFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, clock.Moscow)
	genClientsTo   = time.Date(2025, 6, 30, 0, 0, 0, 0, clock.Moscow)
	genOrdersTo    = time.Date(2026, 11, 30, 0, 0, 0, 0, clock.Moscow)
)

// generator makes the generated rows of one seeding.
type generator struct {
	rnd       *rand.Rand
	sec       *Section
	seed      int64
	set       settings
	statuses  map[int64]*status
	statusIDs []int64
	takenPh   map[string]bool
	takenEm   map[string]bool
	groupIDs  []int64
}

// newGenerator is the generator for sec, seeded with seed, beside the
// scenario's own clients.
func newGenerator(sec *Section, seed int64, set settings, clients []*client, statuses map[int64]*status) *generator {
	g := &generator{
		rnd: rand.New(rand.NewPCG(uint64(seed), 0x5a91ab)), sec: sec, seed: seed, set: set, statuses: statuses,
		takenPh: map[string]bool{}, takenEm: map[string]bool{},
	}
	for id := range statuses {
		g.statusIDs = append(g.statusIDs, id)
	}
	slices.Sort(g.statusIDs)
	// Generated clients join the groups the scenario's own clients are in
	// (and the default one), so a group the scenario leaves empty stays
	// empty and can be removed, as saplab.txt's remove_group example does.
	used := map[int64]bool{set.DefaultGroupID: set.DefaultGroupID != 0}
	for _, c := range clients {
		g.takenPh[c.Phone] = true
		g.takenEm[strings.ToLower(c.Email)] = true
		used[c.GroupID] = true
	}
	for _, gr := range sec.Groups {
		if used[gr.ID] || len(clients) == 0 {
			g.groupIDs = append(g.groupIDs, gr.ID)
		}
	}
	return g
}

// pick is a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// between is a random instant in [from, to) with microseconds, as the
// panel's timestamps have.
func (g *generator) between(from, to time.Time) time.Time {
	span := to.Sub(from).Microseconds()
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(g.rnd.Int64N(span)) * time.Microsecond)
}

// digits is n random digits.
func (g *generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rnd.IntN(10))
	}
	return string(b)
}

// run appends the generated clients to the scenario's, hands each
// generated position to emit (ids after lastOrder, in id order) and books
// their ledgers.
func (g *generator) run(sd *seeder, clients []*client, lastOrder int64, emit func(*order)) []*client {
	s := g.sec
	nextClient, nextOrder := int64(0), lastOrder
	for _, c := range clients {
		nextClient = max(nextClient, c.ID)
	}
	var made []*client
	for i := 0; i < s.Generate.Clients; i++ {
		nextClient++
		cl := g.client(nextClient, i)
		made = append(made, cl)
		if g.rnd.IntN(10) < 3 { // a third of the clients have topped up their account
			sd.book(cl, money.Amount(500+g.rnd.IntN(200))*100, textTopUp, 0, cl.Created.Add(time.Duration(1+g.rnd.IntN(72))*time.Hour))
		}
	}
	clients = append(clients, made...)
	owners := made
	if len(owners) == 0 {
		owners = clients
	}
	if s.Generate.Orders == 0 || len(owners) == 0 {
		return clients
	}
	// Positions are made in time order, so ids grow with their dates as in
	// a real shop.
	times := make([]time.Time, s.Generate.Orders)
	for i := range times {
		times[i] = g.between(genClientsFrom, genOrdersTo)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	invoice := 0
	for i := 0; i < len(times); {
		cl := pick(g.rnd, owners)
		invoice++
		basket := 1 + g.rnd.IntN(3)
		shipping := g.shipping()
		for k := 0; k < basket && i < len(times); k++ {
			at := times[i]
			if at.Before(cl.Created) {
				at = cl.Created.Add(time.Duration(1+g.rnd.IntN(600)) * time.Minute)
			}
			nextOrder++
			emit(g.order(sd, nextOrder, cl, at, fmt.Sprintf("NZ-%03d", invoice), shipping))
			i++
		}
	}
	return clients
}

// shipping is a random shipping type, or none (a third of the time).
func (g *generator) shipping() int64 {
	st := g.sec.ShippingTypes
	if len(st) == 0 || g.rnd.IntN(3) == 0 {
		return 0
	}
	return pick(g.rnd, st).ID
}

// client makes generated client number i (0-based) with the given id.
// The draws from rnd are in a fixed order: changing it changes every
// generated row.
func (g *generator) client(id int64, i int) *client {
	r := g.rnd
	surname, first, patronymic := g.person()
	phone := g.phone(i)
	email := fmt.Sprintf("%s.%d@%s", translit(surname), id, pick(r, genDomains))
	for g.takenEm[email] {
		email = "x" + email
	}
	g.takenEm[email] = true
	created := g.between(genClientsFrom, genClientsTo)
	cl := &client{
		ID: id, Name: surname + " " + first + " " + patronymic, Phone: phone, Email: email,
		Address: fmt.Sprintf("г. %s, %s, %d", pick(r, genCities), pick(r, genStreets), 1+r.IntN(150)),
		Comment: pick(r, genClientNts), Status: r.IntN(20) != 0, Created: created, Modified: created,
		GroupID: g.set.DefaultGroupID,
	}
	if r.IntN(2) == 0 {
		cl.Address += fmt.Sprintf(", кв. %d", 1+r.IntN(300))
	}
	g.assign(cl)
	if r.IntN(10) == 0 {
		g.company(cl, surname)
	}
	if r.IntN(5) == 0 {
		cl.Modified = g.between(created, genClientsTo.AddDate(1, 0, 0))
	}
	return cl
}

// person is a random Russian surname, first name and patronymic, a third
// of them a woman's.
func (g *generator) person() (surname, first, patronymic string) {
	r := g.rnd
	surname = pick(r, genSurnames)
	if r.IntN(3) == 0 {
		return surname + "а", pick(r, genFemale), pick(r, genPatronymic) + "на"
	}
	return surname, pick(r, genMale), pick(r, genPatronymic) + "ич"
}

// phone is generated client i's phone: distinct from every other client's.
func (g *generator) phone(i int) string {
	phone := ""
	for k := uint64(i); ; k++ {
		// An odd multiplier not divisible by 5 is a bijection on 0..1e9-1,
		// so the phones are distinct and look random.
		phone = fmt.Sprintf("9%09d", (k*2654435761+uint64(g.seed))%1_000_000_000)
		if !g.takenPh[phone] {
			break
		}
	}
	g.takenPh[phone] = true
	return phone
}

// assign puts a client in a group (a quarter of them outside the default
// one), with a manager (half of them), an office and a shipping type.
func (g *generator) assign(cl *client) {
	r, s := g.rnd, g.sec
	if len(g.groupIDs) > 0 && r.IntN(4) == 0 {
		cl.GroupID = pick(r, g.groupIDs)
	}
	if len(s.Employees) > 0 && r.IntN(2) == 0 {
		cl.ManagerID = pick(r, s.Employees).ID
	}
	if len(s.Points) > 0 {
		cl.PointID = pick(r, s.Points).ID
	}
	cl.ShippingID = g.shipping()
}

// company makes a client a legal entity with a credit limit and details.
func (g *generator) company(cl *client, surname string) {
	r := g.rnd
	cl.IsWholesaler = true
	cl.Limit = int64(10_000 * (1 + r.IntN(5)))
	cl.Wholesaler = &wholesaler{
		Type: pick(r, genOrgTypes), OrgName: pick(r, genOrgWords) + " " + surname, INN: g.digits(10), KPP: g.digits(9),
		ORGN: g.digits(13), Address: cl.Address, Bank: pick(r, genBanks), BIK: "04" + g.digits(7),
		Account: "40702810" + g.digits(12), BankAccount: "30101810" + g.digits(12),
	}
}

// order makes a generated position of cl at time at, with its history and,
// for some, the ledger entries that paid (and refunded) it.
func (g *generator) order(sd *seeder, id int64, cl *client, at time.Time, invoice string, shipping int64) *order {
	o := g.position(id, cl, at, invoice, shipping)
	fresh := o.StatusID == g.set.NewStatusID || o.StatusID == g.set.AcceptedStatusID
	changed := g.history(o, at, fresh)
	g.payment(sd, o, cl, at, changed)
	if !fresh && g.rnd.IntN(8) == 0 {
		o.IsArchived = true
	}
	return o
}

// position is a random part at a price around its typical one, in a random
// status.
func (g *generator) position(id int64, cl *client, at time.Time, invoice string, shipping int64) *order {
	r, s := g.rnd, g.sec
	p := pick(r, genParts)
	// Prices vary by ±20% around the part's typical price; the purchase
	// price is 80–95% of it.
	price := money.Amount(int64(p.price) * int64(80+r.IntN(41)) / 100)
	if r.IntN(2) == 0 {
		price = price / 100 * 100 // whole roubles, as many shops round
	}
	qty := int64(1)
	if r.IntN(4) == 0 {
		qty = int64(2 + r.IntN(4))
	}
	o := &order{
		ID: id, ClientID: cl.ID, Invoice: invoice, Brand: p.brand, Article: p.article, Name: p.name,
		Price: price, InitialPrice: money.Amount(int64(price) * int64(80+r.IntN(16)) / 100), Quantity: qty,
		DeliveryTimeMin: int64(r.IntN(5)), ShippingID: shipping, Created: at, Modified: at,
		DenyRequest: r.IntN(50) == 0,
	}
	o.DeliveryTimeMax = o.DeliveryTimeMin + int64(r.IntN(10))
	if len(s.Distributors) > 0 {
		o.DistributorID = pick(r, s.Distributors).ID
	}
	if shipping != 0 {
		o.ShippingAddress = cl.Address
	}
	if r.IntN(10) == 0 {
		o.ClientComment = pick(r, genComments)
	}
	if len(g.statusIDs) > 0 {
		o.StatusID = pick(r, g.statusIDs)
	}
	o.IsDenied = o.StatusID != 0 && o.StatusID == g.set.DeniedStatusID
	return o
}

// history gives a position the history it entered with; a position past
// the fresh statuses was moved to its status by an employee a few hours or
// days later, which is returned.
func (g *generator) history(o *order, at time.Time, fresh bool) (changed time.Time) {
	r := g.rnd
	who := systemManager
	if len(g.sec.Employees) > 0 && !fresh {
		who = pick(r, g.sec.Employees).Name
	}
	changed = at.Add(time.Duration(1+r.IntN(96)) * time.Hour)
	o.History = entryHistory(g.set, g.statuses, o.StatusID, at, systemManager)
	if n := len(o.History); n > 0 && who != systemManager && o.History[n-1].StatusID == o.StatusID {
		o.History[n-1].Manager, o.History[n-1].Date = who, changed.Truncate(time.Second)
		o.Modified = changed
	}
	return changed
}

// payment books a third of the positions as paid: a denied one was paid,
// then refunded when it was denied; another is paid from a top-up of
// exactly its sum, so the client's balance is not disturbed.
func (g *generator) payment(sd *seeder, o *order, cl *client, at, changed time.Time) {
	r := g.rnd
	total := o.Total()
	paidAt := at.Add(time.Duration(1+r.IntN(60)) * time.Minute)
	switch {
	case o.IsDenied && r.IntN(3) == 0:
		sd.book(cl, total, textTopUp, 0, paidAt.Add(-time.Minute))
		sd.book(cl, -total, payComment(o), o.ID, paidAt)
		sd.book(cl, total, refundComment(o), o.ID, changed)
	case !o.IsDenied && r.IntN(3) == 0:
		o.IsPayed = true
		sd.book(cl, total, textTopUp, 0, paidAt.Add(-time.Minute))
		sd.book(cl, -total, payComment(o), o.ID, paidAt)
	}
}

var translitTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "y",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f",
	'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// translit spells a Russian name in Latin letters for an email address.
func translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if t, ok := translitTable[r]; ok {
			b.WriteString(t)
		} else if r < 128 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
