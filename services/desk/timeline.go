package desk

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// timelineEntries bounds the drafting history the timeline reads: two
// pages of drafting's largest.
const timelineEntries = 200

// timelineEntry is one thing done to an article: who, when, what.
type timelineEntry struct {
	Time time.Time
	By   string
	// What is a label key (publishing's acts) or drafting's event type;
	// Detail a line about it (the locale, a note, a reason, a summary).
	What, Detail string
	Label        bool
}

// scheduleView is a pending schedule the publisher can cancel.
type scheduleView struct {
	ID      string
	At      time.Time
	Locales []string
}

// timeline is the article's audit timeline, newest first, read from the
// records the services keep: drafting's history (every revision, with
// its event), publishing's schedules (made, cancelled, fired, failed)
// and the public record (first and latest publication of each language,
// its last correction, its taking down). It also returns the pending
// schedules. What cannot be read is left out; the caller says so.
func (d *Desk) timeline(ctx context.Context, as grpc.CallOption, id string, pub *eventsv1.Publication) ([]timelineEntry, []scheduleView, error) {
	var out []timelineEntry
	add := func(c *articlev1.Change, what, detail string, isLabel bool) {
		if c == nil {
			return
		}
		out = append(out, timelineEntry{Time: c.GetTime().AsTime(), By: c.GetActor().GetName(), What: what, Detail: detail, Label: isLabel})
	}
	var firstErr error
	page := ""
	for n := 0; n < timelineEntries; {
		res, err := d.svc.Drafting.GetDraftHistory(ctx, &draftingv1.GetDraftHistoryRequest{Id: id, PageSize: 100, PageToken: page}, as)
		if err != nil {
			firstErr = err
			break
		}
		for _, e := range res.GetEntries() {
			add(&articlev1.Change{Actor: e.GetActor(), Time: e.GetTime()}, e.GetEventType(), e.GetSummary(), false)
		}
		n += len(res.GetEntries())
		if page = res.GetNextPageToken(); page == "" {
			break
		}
	}
	var pending []scheduleView
	if res, err := d.svc.Publishing.ListSchedules(ctx, &publishingv1.ListSchedulesRequest{ArticleId: id}, as); err != nil {
		firstErr = cmp.Or(firstErr, err)
	} else {
		for _, s := range res.GetSchedules() {
			locales := joinTags(s.GetLocales())
			add(s.GetScheduled(), "timeline.scheduled", locales+" @ "+s.GetAt().AsTime().Local().Format("2006-01-02 15:04"), true)
			switch s.GetStatus() {
			case eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING:
				pending = append(pending, scheduleView{ID: s.GetId(), At: s.GetAt().AsTime(), Locales: s.GetLocales()})
			case eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED:
				add(s.GetEnded(), "timeline.cancelled", locales, true)
			case eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE:
				add(s.GetEnded(), "timeline.fired", locales, true)
			case eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED:
				add(s.GetEnded(), "timeline.failed", locales+": "+s.GetReason(), true)
			}
		}
	}
	for _, l := range editLocales {
		if pl := pub.GetLocales()[l.Tag]; pl != nil {
			add(pl.GetFirstPublished(), "timeline.first_published", l.Tag, true)
			if !sameChange(pl.GetPublished(), pl.GetFirstPublished()) {
				add(pl.GetPublished(), "timeline.published", l.Tag, true)
			}
			if c := pl.GetCorrection(); c != nil {
				add(c.GetChange(), "timeline.corrected", l.Tag+": "+c.GetNote(), true)
			}
		}
		if td := pub.GetTakenDown()[l.Tag]; td != nil {
			add(td.GetChange(), "timeline.taken_down", l.Tag+": "+td.GetReason(), true)
		}
	}
	slices.SortStableFunc(out, func(a, b timelineEntry) int { return b.Time.Compare(a.Time) })
	return out, pending, firstErr
}

// sameChange reports whether two changes are the same act.
func sameChange(a, b *articlev1.Change) bool {
	return a.GetTime().AsTime().Equal(b.GetTime().AsTime()) && a.GetActor().GetUserId() == b.GetActor().GetUserId()
}

func joinTags(tags []string) string { return strings.Join(tags, ", ") }
