package carreta

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/state"
)

// view is what the hot paths read instead of the state file: accounts by
// api_key hash with their profile bodies already encoded, the catalog's
// search bodies already encoded and signed. Orders are not in it: the order
// list reads the state file's list index (index.go), so the view's size
// and the time to build it do not grow with the history. Load builds a new
// view after every seed and at start-up; the server holds every vendor
// request off while it does (the state gate), so a request sees one view
// from start to end. Only the comment columns, the kept list answers and
// the cache of generated answers change at run time, each under its own
// lock; the rest is
// read-only once Load has published the view. The queue of automatic moves
// (lifecycle.Queue) locks itself.
type view struct {
	seed     int64
	signer   Signer
	perQuery int
	accounts map[[32]byte]*account
	catalog  map[string][]byte
	gen      genCache

	// life is the scenario's status table and lifecycle; queue says which
	// orders on their automatic path have a move due, and when.
	life  *Lifecycle
	queue *lifecycle.Queue

	// cols are the client_comment columns of the accounts that filtered
	// their list (index.go); they lock themselves.
	cols columns
	// pages keeps encoded order-list answers until an order changes.
	pages *answercache.Cache[pageKey, []byte]
	// orders keeps the list's encoding of the orders listed lately, each
	// beside the record it was made from (ordercache.go): a made page
	// copies those whose record is unchanged.
	orders *orderCache
}

// account is an account as requests need it.
type account struct {
	id      uint64
	profile []byte       // the GET profile/ body
	allowed []netip.Addr // empty: any address
}

// allows reports whether ip may use the account (carreta.txt: the profile's
// list of allowed addresses; an empty list allows all).
func (a *account) allows(ip netip.Addr, ok bool) bool {
	if len(a.allowed) == 0 {
		return true
	}
	return ok && slices.Contains(a.allowed, ip)
}

// buildView builds the view of what tx holds and of the section's catalog,
// signed with the key seed derives.
func buildView(tx *state.Tx, sec *Section, seed int64) (*view, error) {
	v := &view{
		seed:     seed,
		signer:   NewSigner(seed),
		perQuery: DefaultResultsPerQuery,
		accounts: map[[32]byte]*account{},
		gen:      genCache{m: map[string][]byte{}},
		pages:    answercache.New[pageKey, []byte](pageCacheEntries, pageCacheMax, answercache.Bytes),
		life:     sec.lifecycle(seed),
		queue:    lifecycle.NewQueue(),
	}
	v.orders = newOrderCache(v.life.Statuses, orderCacheMax)
	if n := sec.Generate.ResultsPerQuery; n != nil {
		v.perQuery = *n
	}
	if err := forEachAccount(tx, v.addAccount); err != nil {
		return nil, err
	}
	forEachDue(tx, v.queue.Set)
	v.pinSignatures(sec.Catalog)
	v.catalog = buildCatalog(v.signer, sec.Catalog)
	return v, nil
}

// addAccount indexes a stored account by its api_key hash.
func (v *view) addAccount(rec *accountRecord, hash [32]byte) error {
	acc := &account{id: rec.ID, profile: mustMarshal(toProfileWire(rec))}
	for _, s := range rec.AllowedIPs {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("carreta account %d: %w", rec.ID, err)
		}
		acc.allowed = append(acc.allowed, ip.Unmap().WithZone(""))
	}
	v.accounts[hash] = acc
	return nil
}

// pinSignatures has the signer accept the signatures the catalog pins,
// and know the sources it gives.
func (v *view) pinSignatures(parts []CatalogPart) {
	for i := range parts {
		p := &parts[i]
		for _, part := range append([]CatalogPart{*p}, p.Crosses...) {
			o := toOffer(&part, false)
			if part.Signature != "" {
				v.signer.Pin(&o, part.Signature)
			}
			if part.Source != "" {
				v.signer.PinSource(&o, part.Source)
			}
		}
	}
}

// pageKey names a kept answer (view.pages, an answercache.Cache): what an
// order-list answer depends on besides the orders; with order set, the key
// of one order's answer (history: its history's). The pages keep the
// encoded answers of order lists, of one order and of its history, so a
// client polling its list or an order costs a map lookup instead of a read
// transaction and the decoding and encoding of every order on the page.
// Every write to an order (createOrder, a catch-up, the control API's
// move) calls Changed after its commit; an answer is used only under the
// version it was made under, read before its read transaction began.
type pageKey struct {
	account uint64
	page    int
	filter  string
	order   uint64
	history bool
}

// pageCacheMax bounds the bytes of cached answers (some 80 full pages),
// pageCacheEntries their number (empty answers of many filters).
const (
	pageCacheMax     = 4 << 20
	pageCacheEntries = 4096
)

// genCache keeps the encoded generated answers of recent queries, so a
// client polling one code costs a map lookup. It is bounded: when full it
// starts over, which costs a regeneration per query and nothing else.
type genCache struct {
	// mu guards m: searches read it (read lock) and the first search of a
	// code the catalog lacks stores its answer (write lock). Two searches
	// of a new code may both generate it; they store the same bytes.
	mu sync.RWMutex
	m  map[string][]byte
}

const genCacheMax = 4096

// MaxCodeLen bounds a normalised query that can find anything. Part numbers
// are far shorter; without a bound a client could make the mock generate and
// cache offers for megabyte-long codes.
const MaxCodeLen = 64

func (g *genCache) get(norm []byte) ([]byte, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	b, ok := g.m[string(norm)]
	return b, ok
}

func (g *genCache) put(norm string, body []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.m) >= genCacheMax {
		clear(g.m)
	}
	g.m[norm] = body
}

// searchBody is the GET search/ body for a normalised query.
func (v *view) searchBody(norm []byte) []byte {
	if len(norm) == 0 || len(norm) > MaxCodeLen {
		return emptyObjects
	}
	if b, ok := v.catalog[string(norm)]; ok {
		return b
	}
	if b, ok := v.gen.get(norm); ok {
		return b
	}
	key := string(norm)
	body := encodeOffers(v.signer, generateOffers(v.seed, key, v.perQuery))
	v.gen.put(key, body)
	return body
}

// buildCatalog encodes the answer for every code in the catalog. A code of
// the catalog answers its parts first, then their crosses. A code that is
// only a cross answers that part first (it is what was asked for), then the
// parts it replaces and their other crosses, since those replace it too.
func buildCatalog(s Signer, parts []CatalogPart) map[string][]byte {
	norm := func(code string) string { return string(NormalizeCode(nil, code)) }
	direct := map[string][]int{}
	for i, p := range parts {
		k := norm(p.Code)
		direct[k] = append(direct[k], i)
	}
	type crossRef struct{ part, cross int }
	crossOnly := map[string][]crossRef{}
	for i, p := range parts {
		for j, c := range p.Crosses {
			if k := norm(c.Code); direct[k] == nil {
				crossOnly[k] = append(crossOnly[k], crossRef{i, j})
			}
		}
	}
	out := make(map[string][]byte, len(direct)+len(crossOnly))
	for k, idx := range direct {
		var offers []Offer
		for _, i := range idx {
			offers = append(offers, toOffer(&parts[i], false))
		}
		for _, i := range idx {
			for j := range parts[i].Crosses {
				offers = append(offers, toOffer(&parts[i].Crosses[j], true))
			}
		}
		out[k] = encodeOffers(s, offers)
	}
	for k, refs := range crossOnly {
		var offers []Offer
		seen := map[[2]int]bool{}
		for _, r := range refs {
			offers = append(offers, toOffer(&parts[r.part].Crosses[r.cross], false))
			seen[[2]int{r.part, r.cross}] = true
		}
		for _, r := range refs {
			if !seen[[2]int{r.part, -1}] {
				seen[[2]int{r.part, -1}] = true
				offers = append(offers, toOffer(&parts[r.part], true))
			}
			for j := range parts[r.part].Crosses {
				if !seen[[2]int{r.part, j}] {
					seen[[2]int{r.part, j}] = true
					offers = append(offers, toOffer(&parts[r.part].Crosses[j], true))
				}
			}
		}
		out[k] = encodeOffers(s, offers)
	}
	return out
}
