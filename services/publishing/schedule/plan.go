package schedule

import (
	"sync"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Plan is one replica's view of the pending schedules, kept from the
// schedules it reads and writes. It is safe for concurrent use.
type Plan struct {
	mu      sync.Mutex
	pending map[string][]*eventsv1.Schedule // article → pending schedules
	firing  map[string]bool                 // schedule ids being fired here
}

// NewPlan returns an empty plan.
func NewPlan() *Plan {
	return &Plan{pending: map[string][]*eventsv1.Schedule{}, firing: map[string]bool{}}
}

// Put replaces what the plan knows of an article's schedules with x.
func (p *Plan) Put(x *eventsv1.Schedules) {
	pending := Pending(x)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(pending) == 0 {
		delete(p.pending, x.GetArticleId())
	} else {
		p.pending[x.GetArticleId()] = pending
	}
}

// Due is a schedule whose time has come.
type Due struct {
	Article  string
	Schedule *eventsv1.Schedule
}

// Due returns the schedules whose time has come by now and that are not
// being fired here already, and marks them as firing until Done.
func (p *Plan) Due(now time.Time) []Due {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Due
	for article, list := range p.pending {
		for _, s := range list {
			if !s.GetAt().AsTime().After(now) && !p.firing[s.Id] {
				p.firing[s.Id] = true
				out = append(out, Due{article, s})
			}
		}
	}
	return out
}

// Done says the schedule id is no longer being fired here: if it is still
// pending (its firing failed for a while), the next Due returns it again.
func (p *Plan) Done(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.firing, id)
}
