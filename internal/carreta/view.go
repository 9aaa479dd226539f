package carreta

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// view is what the hot paths read instead of the state file: accounts by
// api_key hash with their profile bodies already encoded, the catalog's
// search bodies already encoded and signed, and each account's order ids.
// Load builds a new view after every seed and at start-up; the server holds
// every vendor request off while it does (the state gate), so a request sees
// one view from start to end. At run time only orders change: a created order
// is added to the index after its commit.
type view struct {
	seed     int64
	signer   Signer
	perQuery int
	accounts map[[32]byte]*account
	catalog  map[string][]byte
	gen      genCache

	mu     sync.RWMutex
	orders map[uint64][]orderRef // by account id, ascending order id
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

// orderRef is what listing needs to know of an order without reading it.
type orderRef struct {
	id      uint64
	comment string // client_comment, lower-cased for the filter
}

func buildView(tx *state.Tx, sc *scenario.Scenario) (*view, error) {
	v := &view{
		seed:     sc.Seed,
		signer:   NewSigner(sc.Seed),
		perQuery: scenario.DefaultResultsPerQuery,
		accounts: map[[32]byte]*account{},
		orders:   map[uint64][]orderRef{},
		gen:      genCache{m: map[string][]byte{}},
	}
	if n := sc.Carreta.Generate.ResultsPerQuery; n != nil {
		v.perQuery = *n
	}
	err := tx.ForEach(bucketAccounts, func(_, data []byte) error {
		var rec accountRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("carreta account: %w", err)
		}
		var h [32]byte
		if n, err := hex.Decode(h[:], []byte(rec.APIKeySHA256)); err != nil || n != len(h) {
			return fmt.Errorf("carreta account %d: bad api_key hash", rec.ID)
		}
		acc := &account{id: rec.ID, profile: mustMarshal(toProfileWire(&rec))}
		for _, s := range rec.AllowedIPs {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return fmt.Errorf("carreta account %d: %w", rec.ID, err)
			}
			acc.allowed = append(acc.allowed, ip.Unmap().WithZone(""))
		}
		v.accounts[h] = acc
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.ForEach(bucketOrders, func(k, data []byte) error {
		var rec struct {
			AccountID     uint64 `json:"account_id"`
			ClientComment string `json:"client_comment"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("carreta order: %w", err)
		}
		id, _ := state.ID(k)
		v.orders[rec.AccountID] = append(v.orders[rec.AccountID], orderRef{id: id, comment: strings.ToLower(rec.ClientComment)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range sc.Carreta.Catalog {
		p := &sc.Carreta.Catalog[i]
		for _, part := range append([]scenario.CarretaPart{*p}, p.Crosses...) {
			if part.Signature != "" {
				o := toOffer(&part, false)
				v.signer.Pin(&o, part.Signature)
			}
		}
	}
	v.catalog = buildCatalog(v.signer, sc.Carreta.Catalog)
	return v, nil
}

// addOrder indexes an order committed after the view was built. Concurrent
// commits can arrive out of order, so the id is inserted in place.
func (v *view) addOrder(accountID, id uint64, clientComment string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	refs := v.orders[accountID]
	i := len(refs)
	for i > 0 && refs[i-1].id > id {
		i--
	}
	v.orders[accountID] = slices.Insert(refs, i, orderRef{id: id, comment: strings.ToLower(clientComment)})
}

// page returns the ids of one page of an account's orders, newest first,
// keeping only those whose client_comment contains filter (lower-cased).
func (v *view) page(accountID uint64, filter string, page int) []uint64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	refs := v.orders[accountID]
	skip := (page - 1) * PageSize
	var ids []uint64
	for i := len(refs) - 1; i >= 0 && len(ids) < PageSize; i-- {
		if filter != "" && !strings.Contains(refs[i].comment, filter) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		ids = append(ids, refs[i].id)
	}
	return ids
}

// genCache keeps the encoded generated answers of recent queries, so a
// client polling one code costs a map lookup. It is bounded: when full it
// starts over, which costs a regeneration per query and nothing else.
type genCache struct {
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
func buildCatalog(s Signer, parts []scenario.CarretaPart) map[string][]byte {
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

func toOffer(p *scenario.CarretaPart, cross bool) Offer {
	o := Offer{
		Code: p.Code, Maker: p.Maker, Name: p.Name, Desc: p.Desc, IsCross: cross, Price: p.Price,
		Qty: p.Qty, MinQty: p.MinQty, PeriodMin: p.PeriodMin, PeriodMax: p.PeriodMax, Pinned: p.Signature,
	}
	if p.Stat != nil {
		st := *p.Stat
		o.Stat = &st
	}
	return o
}
