package journal

import (
	"sync"
)

// SubscriberBuffer is how many entries a subscriber may have waiting before
// new ones are dropped for it (and counted): a console tab that reads
// slower than requests arrive loses entries, never holds a request up, and
// never holds more than this in memory (the entries share their bodies and
// headers with the ring). A stream drains it every 50 ms, so it takes some
// 20 000 requests a second before a reading console loses any. A test can
// make a stall cheap with Journal.SetSubscriberBuffer.
const SubscriberBuffer = 1024

// SetSubscriberBuffer sets the buffer of the subscriptions made from now
// on (SubscriberBuffer when n <= 0); one made before keeps its size. It is
// the journal's own, not a package variable, so that a test shrinking it
// races with no other test's journal.
func (j *Journal) SetSubscriberBuffer(n int) { j.subBuffer.Store(int64(n)) }

// subscriberBuffer is the buffer a subscription made now gets.
func (j *Journal) subscriberBuffer() int {
	if n := j.subBuffer.Load(); n > 0 {
		return int(n)
	}
	return SubscriberBuffer
}

// Subscription is one live reader of the journal (the console's stream,
// GET /__admin/requests/stream). Entries that pass its filter arrive on C
// as they are added; when C is full they are dropped and counted instead
// (TakeDropped), so the recording path never waits for a reader.
type Subscription struct {
	// C delivers the matching entries, in the order they were added.
	C <-chan Entry
	c chan Entry

	filter Filter
	subs   *subscribers // the set it was added to
	once   sync.Once    // Close removes it once

	// mu guards dropped. It is a leaf, taken under subs.mu by publish.
	mu      sync.Mutex
	dropped int
}

// subscribers is the journal's set of live subscriptions. It has a lock
// of its own rather than the journal's mu, so the journal's code is
// touched by one call in Add (publish), and publishing, which only tries
// non-blocking sends, never lengthens the ring's critical section.
type subscribers struct {
	// mu guards set. publish read-holds it while it offers an entry to
	// each subscription; Subscribe and Close write-hold it. It is taken
	// after the journal's mu is released, and only Subscription.mu is
	// taken under it.
	mu  sync.RWMutex
	set map[*Subscription]struct{}
	j   *Journal // whose subs it is
	// dead is set when the last subscription closed and the set left the
	// journal; a Subscribe that loaded it just before starts over.
	dead bool
}

// Subscribe returns a subscription to the entries added from now on that
// pass f (f.Since is ignored: a subscription sees only new entries).
// Close it when done.
func (j *Journal) Subscribe(f Filter) *Subscription {
	f.Since = 0
	c := make(chan Entry, j.subscriberBuffer())
	s := &Subscription{C: c, c: c, filter: f}
	for {
		subs := j.subs.Load()
		if subs == nil {
			subs = &subscribers{set: map[*Subscription]struct{}{}, j: j}
			if !j.subs.CompareAndSwap(nil, subs) {
				continue
			}
		}
		subs.mu.Lock()
		if !subs.dead {
			subs.set[s] = struct{}{}
			s.subs = subs
			subs.mu.Unlock()
			return s
		}
		subs.mu.Unlock()
	}
}

// Close ends the subscription (once): no entry is offered to it afterwards.
// C is not closed (a publish may be offering to it right now); stop
// reading it.
func (s *Subscription) Close() {
	s.once.Do(func() {
		subs := s.subs
		subs.mu.Lock()
		delete(subs.set, s)
		if len(subs.set) == 0 {
			subs.dead = true
			subs.j.subs.CompareAndSwap(subs, nil)
		}
		subs.mu.Unlock()
	})
}

// TakeDropped returns how many matching entries were dropped because C was
// full since the last call, and resets the count.
func (s *Subscription) TakeDropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.dropped
	s.dropped = 0
	return n
}

// Subscribers is how many subscriptions are open: what a test waits on
// before it makes the requests a stream must see.
func (j *Journal) Subscribers() int {
	subs := j.subs.Load()
	if subs == nil {
		return 0
	}
	subs.mu.RLock()
	defer subs.mu.RUnlock()
	return len(subs.set)
}

// publish offers e to every subscription whose filter it passes, without
// ever blocking: a full subscription counts a drop instead. Add calls it
// after it has released the ring, so two requests finishing together may
// reach a subscriber out of id order; a reader orders by id.
func (j *Journal) publish(e *Entry) {
	subs := j.subs.Load()
	if subs == nil {
		return // the common case: nobody ever subscribed
	}
	subs.mu.RLock()
	defer subs.mu.RUnlock()
	for s := range subs.set {
		if !s.filter.Match(e) {
			continue
		}
		select {
		case s.c <- *e:
		default:
			s.mu.Lock()
			s.dropped++
			s.mu.Unlock()
		}
	}
}

// Done is closed once Interrupt has been called: a live stream ends then,
// so a shutdown or a world's deletion does not wait for a console tab.
func (j *Journal) Done() <-chan struct{} { return j.stop }
