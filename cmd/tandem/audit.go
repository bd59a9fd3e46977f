package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
	"github.com/tandemnews/tandem/services/review/job"
)

// auditOptions are the inputs of tandem audit: where NATS is, the
// article, and where to print.
type auditOptions struct {
	settings
	Article string
}

func auditCmd() *cobra.Command {
	opts := &auditOptions{}
	return settingsCmd(&cobra.Command{
		Use:   "audit ARTICLE",
		Short: "Print who did what to an article and when, read from the streams",
		Long: `audit reads an article's drafts, translation and publication subjects and
prints every change in time order with its actor. It connects to NATS
(NATS_URL; by default the in-process server of tandem dev).`,
		Args: cobra.ExactArgs(1),
	}, &opts.settings, func(ctx context.Context, args []string) error {
		opts.Article = args[0]
		return runAudit(ctx, opts)
	})
}

// runAudit connects to NATS and prints the article's events, oldest
// first.
func runAudit(ctx context.Context, opts *auditOptions) error {
	url := opts.NATSURL
	if url == "" {
		url = fmt.Sprintf("nats://127.0.0.1:%d", opts.NATSPort)
	}
	bus, closeBus, err := opts.openBus(ctx, url, "tandem-audit", false)
	if err != nil {
		return err
	}
	defer closeBus()
	return audit(ctx, bus, opts.Article, opts.out)
}

type auditLine struct {
	ev     *events.Event
	stream string
	what   string
}

// audit writes every event of an article, oldest first.
func audit(ctx context.Context, bus *events.Bus, id string, w io.Writer) error {
	var lines []auditLine
	var prev *eventsv1.DraftEvent
	var prevJob *reviewv1.Job
	read := func(s *events.Stream, kind string, describe func(*events.Event) string) error {
		subj, err := s.Subject(kind, id)
		if err != nil {
			return err
		}
		return s.History(ctx, subj, func(ev *events.Event) error {
			lines = append(lines, auditLine{ev: ev, stream: s.Name(), what: describe(ev)})
			return nil
		})
	}
	err := errors.Join(
		read(bus.Editorial, eventsv1.KindDrafts, func(ev *events.Event) string {
			de, _ := ev.Data.(*eventsv1.DraftEvent)
			var before = prev.GetDraft()
			prev = de
			if ev.Type == eventsv1.DraftPurged || ev.Type == eventsv1.DraftWithdrawn {
				return "reason: " + de.GetDraft().GetWithdrawnReason()
			}
			return draft.Summary(ev.Type, before, de.GetDraft())
		}),
		read(bus.Editorial, eventsv1.KindReviews, func(ev *events.Event) string {
			j := ev.Data.(*eventsv1.ReviewEvent).GetJob()
			before := prevJob
			prevJob = j
			return job.Describe(ev.Type, before, j)
		}),
		read(bus.Public, eventsv1.KindArticles, publicChange),
	)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return fmt.Errorf("no events for article %s", id)
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].ev.Stored.Before(lines[j].ev.Stored) })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN (UTC)\tWHO\tWHAT\tSTREAM\tREVISION\tDETAIL")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", l.ev.Time.UTC().Format("2006-01-02 15:04:05.000"), l.ev.Actor, l.ev.Type, l.stream, l.ev.Sequence, l.what)
	}
	return tw.Flush()
}

// publicChange says what an event of the public record did: the locales
// it changed, with a correction's note or a takedown's reason, and the
// locales public after it.
func publicChange(ev *events.Event) string {
	ae := ev.Data.(*eventsv1.ArticleEvent)
	p, changed := ae.GetPublication(), ae.GetChangedLocales()
	what := "changed " + strings.Join(changed, ", ")
	if len(changed) > 0 {
		switch l := changed[0]; ev.Type {
		case eventsv1.ArticleCorrected:
			what = fmt.Sprintf("corrected %s: %q", strings.Join(changed, ", "), p.GetLocales()[l].GetCorrection().GetNote())
		case eventsv1.ArticleUnpublished:
			if why := p.GetTakenDown()[l].GetReason(); why != "" {
				what = fmt.Sprintf("took down %s: %q", strings.Join(changed, ", "), why)
			}
		}
	}
	var public []string
	for l := range p.GetLocales() {
		public = append(public, l)
	}
	sort.Strings(public)
	return fmt.Sprintf("%s; public: %s", what, strings.Join(public, ", "))
}
