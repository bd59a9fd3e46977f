package publishing

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

// claim takes the addresses of the releases for their article before
// they are announced. Each claim is one write with the expected last
// sequence of the address's subject, so of two articles publishing at
// one path, one wins and the other is told who holds it.
func (s *Service) claim(ctx context.Context, article string, rels []publication.Release, by *articlev1.Actor) error {
	for _, r := range rels {
		path := siteconfig.ArticlePath(r.Locale, r.Article.GetSection(), publication.Slug(r.Article))
		_, err := s.addrs.Upsert(ctx, publication.AddressKey(path), func(a *eventsv1.Address) (events.Change, error) {
			var holder *eventsv1.Publication
			if h := a.GetArticleId(); h != "" && h != article {
				p, err := s.pubs.Get(ctx, h)
				if err != nil && !errors.Is(err, events.ErrNotFound) {
					return events.Change{}, err
				}
				holder = p
			}
			changed, err := publication.Claim(a, path, article, r.Locale, holder, s.change(by))
			if err != nil || !changed {
				return events.Change{}, err
			}
			return events.Change{Type: eventsv1.AddressClaimed, Actor: by.GetUserId()}, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// vacate gives up addresses an article left (taken down or purged), so
// another article may be published there. A failure is logged and
// counted, not returned: the takedown is done, and a claim its holder no
// longer uses is taken over by the next article that needs the address
// (publication.Claim).
func (s *Service) vacate(ctx context.Context, article string, paths []string, by *articlev1.Actor) {
	for _, path := range paths {
		_, err := s.addrs.Update(ctx, publication.AddressKey(path), 0, func(a *eventsv1.Address) (events.Change, error) {
			if !publication.Vacate(a, article, s.change(by)) {
				return events.Change{}, nil
			}
			return events.Change{Type: eventsv1.AddressReleased, Actor: by.GetUserId()}, nil
		})
		if err != nil && !errors.Is(err, events.ErrNotFound) {
			metrics.AddressReleaseFailures.Inc()
			s.log.Warn("address not released; the next article to claim it takes it over", "article", article, "path", path, "err", err)
		}
	}
}

// leaving is the addresses of locales of p that are about to leave the
// site: their paths and the former paths that redirect to them.
func leaving(p *eventsv1.Publication, locales []string) []string {
	var out []string
	for path, l := range publication.Paths(p) {
		if slices.Contains(locales, l) {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// allLocales is every locale p publishes.
func allLocales(p *eventsv1.Publication) []string { return slices.Collect(maps.Keys(p.GetLocales())) }
