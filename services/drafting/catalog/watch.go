package catalog

import (
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// watchBuffer is how many changed ids a watcher may be behind before
// further ones are dropped. A dropped id loses nothing but an
// intermediate state: the watcher reads each row when it takes its id,
// and the ids still queued bring it up to date.
const watchBuffer = 256

// Watch returns a channel of the ids of the articles that change from
// now on, and the func that stops the watch (and closes the channel).
func (c *Catalog) Watch() (<-chan string, func()) {
	ch := make(chan string, watchBuffer)
	c.mu.Lock()
	if c.watchers == nil {
		c.watchers = map[chan string]struct{}{}
	}
	c.watchers[ch] = struct{}{}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.watchers[ch]; ok {
			delete(c.watchers, ch)
			close(ch)
		}
	}
}

// notify tells the watchers that id changed; c.mu is held.
func (c *Catalog) notify(id string) {
	for ch := range c.watchers {
		select {
		case ch <- id:
		default:
		}
	}
}

// Summary returns the row of article id as List shows it, and false when
// the list does not show it (unknown, or erased).
func (c *Catalog) Summary(id string) (*draftingv1.DraftSummary, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	r := c.items[id]
	if r == nil || r.draft == nil || draft.Purged(r.draft) {
		return nil, false
	}
	return summary(r), true
}
