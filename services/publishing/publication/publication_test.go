package publication

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func article() *articlev1.Article {
	return &articlev1.Article{
		Id: "A1", Section: []string{"news-events", "news"}, SourceLocale: "zh-CN", Date: "2024-05-14", Slug: "forum",
		Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Title: "论坛"}},
	}
}

func approved(rev, sourceRev uint64) *reviewv1.Job {
	return &reviewv1.Job{Revision: rev, SourceRevision: sourceRev, TargetLocale: "en", Status: reviewv1.JobStatus_JOB_STATUS_APPROVED, Target: &articlev1.LocalizedContent{Title: "Forum"}}
}

func at(who string, sec int64) *articlev1.Change {
	return &articlev1.Change{Actor: &articlev1.Actor{UserId: who}, Time: timestamppb.New(time.Unix(sec, 0))}
}

func TestChooseTakesTheSourceAsSubmittedAndTheApprovedTarget(t *testing.T) {
	src := Sources{ID: "A1", Submitted: 7, Article: article(), Job: approved(9, 7)}
	rels, err := src.Choose([]string{"en", "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 2 {
		t.Fatalf("releases = %v", rels)
	}
	en, zh := rels[0], rels[1]
	if en.Locale != "en" || en.Revision != 9 || en.Content.GetTitle() != "Forum" || en.Article != src.Article {
		t.Errorf("en = %+v", en)
	}
	if zh.Locale != "zh-CN" || zh.Revision != 7 || zh.Content.GetTitle() != "论坛" || zh.Article != src.Article {
		t.Errorf("zh = %+v", zh)
	}
}

func TestChooseRefusesWhatIsNotReady(t *testing.T) {
	for _, c := range []struct {
		name    string
		src     Sources
		locales []string
		want    error
		meta    map[string]string
		msg     string
	}{
		{"not submitted", Sources{ID: "A1", Article: article()}, []string{"zh-CN"}, ErrNotSubmitted, nil,
			"the draft has not been submitted; an editor must submit it before it can be published"},
		{"no job", Sources{ID: "A1", Submitted: 7, Article: article()}, []string{"zh-CN", "en"}, ErrTranslationNotApproved,
			map[string]string{"locale": "en"}, "A1 cannot be published: no translation into en is approved"},
		{"job open", Sources{ID: "A1", Submitted: 7, Article: article(), Job: &reviewv1.Job{TargetLocale: "en", SourceRevision: 7, Status: reviewv1.JobStatus_JOB_STATUS_OPEN}}, []string{"en"}, ErrTranslationNotApproved,
			map[string]string{"locale": "en"}, "A1 cannot be published: no translation into en is approved"},
		{"other target", Sources{ID: "A1", Submitted: 7, Article: article(), Job: func() *reviewv1.Job { j := approved(9, 7); j.TargetLocale = "fr"; return j }()}, []string{"en"}, ErrTranslationNotApproved,
			map[string]string{"locale": "en"}, "A1 cannot be published: no translation into en is approved"},
		{"stale", Sources{ID: "A1", Submitted: 8, Article: article(), Job: approved(9, 7)}, []string{"en"}, ErrTranslationStale,
			map[string]string{"locale": "en", "translation_source_revision": "7", "submitted_revision": "8"},
			"the approved en translation was made from revision 7, but revision 8 is submitted; it must be reviewed again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rels, err := c.src.Choose(c.locales)
			if !errors.Is(err, c.want) || rels != nil {
				t.Fatalf("got %v, %v; want %v", rels, err, c.want)
			}
			if err.Error() != c.msg {
				t.Errorf("message %q", err.Error())
			}
			var m interface{ Metadata() map[string]string }
			if c.meta == nil {
				if errors.As(err, &m) {
					t.Errorf("metadata %v on %v", m.Metadata(), err)
				}
				return
			}
			if !errors.As(err, &m) || !maps.Equal(m.Metadata(), c.meta) {
				t.Errorf("metadata of %v, want %v", err, c.meta)
			}
		})
	}
}

func TestNeedsTranslationOnlyForATargetLocale(t *testing.T) {
	src := Sources{Article: article()}
	if src.NeedsTranslation([]string{"zh-CN"}) || src.NeedsTranslation(nil) {
		t.Error("the source alone needs no translation")
	}
	if !src.NeedsTranslation([]string{"zh-CN", "en"}) {
		t.Error("en needs the translation")
	}
}

func TestSlugDefaultsToTheIDInLowerCase(t *testing.T) {
	if got := Slug(&articlev1.Article{Id: "AB12", Slug: "forum"}); got != "forum" {
		t.Errorf("slug = %q", got)
	}
	if got := Slug(&articlev1.Article{Id: "AB12"}); got != "ab12" {
		t.Errorf("slug = %q", got)
	}
}

func release(locale string, rev uint64, a *articlev1.Article) Release {
	return Release{Locale: locale, Revision: rev, Article: a, Content: &articlev1.LocalizedContent{Title: "T " + locale}}
}

func TestPublishRecordsEachLocaleAtItsPath(t *testing.T) {
	p := &eventsv1.Publication{}
	first := at("pub", 100)
	Publish(p, "A1", []Release{release("zh-CN", 7, article()), release("en", 9, article())}, first)
	if p.ArticleId != "A1" || len(p.Locales) != 2 {
		t.Fatalf("publication = %v", p)
	}
	zh := p.Locales["zh-CN"]
	if zh.Locale != "zh-CN" || zh.SourceRevision != 7 || zh.Path != "/zh/news-events/news/forum" || zh.Title != "T zh-CN" ||
		zh.Slug != "forum" || zh.Date != "2024-05-14" || !slices.Equal(zh.Section, []string{"news-events", "news"}) ||
		zh.Content.GetTitle() != "T zh-CN" || zh.Published != first || zh.FirstPublished != first || zh.Correction != nil {
		t.Errorf("zh = %v", zh)
	}
	if en := p.Locales["en"]; en.Path != "/en/news-events/news/forum" || en.SourceRevision != 9 {
		t.Errorf("en = %v", en)
	}
	if len(p.Moved) != 0 || len(p.TakenDown) != 0 {
		t.Errorf("moved %v, taken down %v", p.Moved, p.TakenDown)
	}
}

func TestRepublishKeepsFirstPublishedAndCorrectionAndRecordsTheMove(t *testing.T) {
	first, later := at("pub", 100), at("pub", 200)
	c := &eventsv1.Correction{Note: "fixed"}
	p := &eventsv1.Publication{ArticleId: "A1", Locales: map[string]*eventsv1.PublishedLocale{
		"zh-CN": {Locale: "zh-CN", Path: "/zh/news-events/news/old", Published: first, FirstPublished: first, Correction: c},
		// Records written before first_published existed carry only published.
		"en": {Locale: "en", Path: "/en/news-events/news/forum", Published: first},
	}}
	Publish(p, "A1", []Release{release("zh-CN", 8, article()), release("en", 9, article())}, later)
	zh, en := p.Locales["zh-CN"], p.Locales["en"]
	if zh.Published != later || zh.FirstPublished != first || zh.Correction != c {
		t.Errorf("zh = %v", zh)
	}
	if en.Published != later || en.FirstPublished != first || en.Correction != nil {
		t.Errorf("en = %v", en)
	}
	if !maps.Equal(p.Moved, map[string]string{"/zh/news-events/news/old": "zh-CN"}) {
		t.Errorf("moved = %v", p.Moved)
	}
}

func TestPublishingAtAnOldPathAgainMakesItLive(t *testing.T) {
	p := &eventsv1.Publication{ArticleId: "A1",
		Moved:     map[string]string{"/zh/news-events/news/forum": "zh-CN", "/en/x": "en"},
		TakenDown: map[string]*eventsv1.TakenDown{"zh-CN": {Locale: "zh-CN"}, "en": {Locale: "en"}},
	}
	Publish(p, "A1", []Release{release("zh-CN", 7, article())}, at("pub", 1))
	if !maps.Equal(p.Moved, map[string]string{"/en/x": "en"}) {
		t.Errorf("moved = %v", p.Moved)
	}
	if _, ok := p.TakenDown["zh-CN"]; ok || p.TakenDown["en"] == nil {
		t.Errorf("taken down = %v", p.TakenDown)
	}
}

func TestCorrectAddsTheNoteToPublishedLocalesOnly(t *testing.T) {
	first, later := at("pub", 100), at("pub", 200)
	p := &eventsv1.Publication{}
	Publish(p, "A1", []Release{release("zh-CN", 7, article())}, first)
	err := Correct(p, "A1", []Release{release("zh-CN", 8, article()), release("en", 9, article())}, "fixed", later)
	if !errors.Is(err, ErrLocaleMissing) || err.Error() != "A1 is not published in en; publish it instead of correcting it" {
		t.Fatalf("correcting an unpublished locale: %v", err)
	}
	var m interface{ Metadata() map[string]string }
	if !errors.As(err, &m) || !maps.Equal(m.Metadata(), map[string]string{"locale": "en"}) {
		t.Errorf("metadata of %v", err)
	}
	if zh := p.Locales["zh-CN"]; zh.SourceRevision != 7 || zh.Correction != nil || len(p.Locales) != 1 {
		t.Errorf("a refused correction changed the record: %v", p)
	}
	if err := Correct(p, "A1", []Release{release("zh-CN", 8, article())}, "  The floor was wrong. \n", later); err != nil {
		t.Fatal(err)
	}
	zh := p.Locales["zh-CN"]
	if zh.SourceRevision != 8 || zh.Published != later || zh.FirstPublished != first {
		t.Errorf("zh = %v", zh)
	}
	if c := zh.GetCorrection(); c.GetNote() != "The floor was wrong." || c.GetChange() != later {
		t.Errorf("correction = %v", c)
	}
}

func published() *eventsv1.Publication {
	p := &eventsv1.Publication{}
	a := article()
	Publish(p, "A1", []Release{release("zh-CN", 7, a), release("en", 9, a)}, at("pub", 100))
	p.Moved = map[string]string{"/en/old": "en", "/zh/old": "zh-CN"}
	return p
}

func TestTakeDownRecordsWhyAndDropsTheMovedPaths(t *testing.T) {
	p := published()
	en := p.Locales["en"]
	when := at("chief", 300)
	gone, err := TakeDown(p, []string{"en"}, "  rights withdrawn ", when)
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 1 || gone[0] != en {
		t.Fatalf("gone = %v", gone)
	}
	if _, ok := p.Locales["en"]; ok || p.Locales["zh-CN"] == nil {
		t.Errorf("locales = %v", p.Locales)
	}
	td := p.TakenDown["en"]
	if td.GetLocale() != "en" || td.GetPath() != "/en/news-events/news/forum" || td.GetTitle() != "T en" || td.GetReason() != "rights withdrawn" || td.GetChange() != when {
		t.Errorf("taken down = %v", td)
	}
	if !maps.Equal(p.Moved, map[string]string{"/zh/old": "zh-CN"}) {
		t.Errorf("moved = %v", p.Moved)
	}
	gone, err = TakeDown(p, []string{"zh-CN"}, "gone", when)
	if err != nil || len(gone) != 1 || len(p.TakenDown) != 2 || len(p.Locales) != 0 {
		t.Errorf("second takedown: %v %v %v", gone, err, p)
	}
}

func TestTakeDownOfAnUnpublishedLocaleIsRefused(t *testing.T) {
	p := published()
	delete(p.Locales, "en")
	gone, err := TakeDown(p, []string{"zh-CN", "en"}, "why", at("chief", 300))
	if !errors.Is(err, ErrLocaleMissing) || gone != nil || err.Error() != "A1 is not published in en" {
		t.Fatalf("got %v, %v", gone, err)
	}
	var m interface{ Metadata() map[string]string }
	if !errors.As(err, &m) || !maps.Equal(m.Metadata(), map[string]string{"locale": "en"}) {
		t.Errorf("metadata of %v", err)
	}
}

func TestClearReturnsEveryLocaleOnce(t *testing.T) {
	p := published()
	zh, en := p.Locales["zh-CN"], p.Locales["en"]
	gone := Clear(p)
	if len(gone) != 2 || gone[0] != en || gone[1] != zh {
		t.Errorf("gone = %v", gone)
	}
	if p.Locales != nil || p.ArticleId != "A1" {
		t.Errorf("publication = %v", p)
	}
	if again := Clear(p); len(again) != 0 {
		t.Errorf("a second clear found %v", again)
	}
}

func TestPublishedListsLocalesInSiteOrder(t *testing.T) {
	p := published()
	if got := Published(p); !slices.Equal(got, []string{"zh-CN", "en"}) {
		t.Errorf("published = %v", got)
	}
	delete(p.Locales, "zh-CN")
	if got := Published(p); !slices.Equal(got, []string{"en"}) {
		t.Errorf("published = %v", got)
	}
	if got := Published(&eventsv1.Publication{}); got != nil {
		t.Errorf("published = %v", got)
	}
}

func TestCheckReportsEveryBadField(t *testing.T) {
	v := Check(" ", []string{"zh-CN", "fr", "zh-CN", "en"}, "publish")
	if got := v.Fields(); !slices.Equal(got, []string{"article_id", "locales[1]", "locales[2]"}) {
		t.Errorf("fields = %v", got)
	}
	msg := v.Err().Error()
	for _, want := range []string{`"fr" is not a locale the site publishes (zh-CN, en)`, `"zh-CN" is listed twice`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	v = Check("A1", nil, "take down")
	if got := v.Err(); got == nil || !strings.Contains(got.Error(), "locales: name at least one locale to take down: zh-CN, en") {
		t.Errorf("no locales: %v", got)
	}
	if err := Check("A1", []string{"en", "zh-CN"}, "publish").Err(); err != nil {
		t.Errorf("a good request: %v", err)
	}
}

func TestCheckNoteNeedsAShortNote(t *testing.T) {
	for _, c := range []struct {
		note string
		want string
	}{
		{"", "note: is required"},
		{"  ", "note: is required"},
		{"\u200b\ufeff", "note: is required"},
		{" \n ", "note: holds the control character U+000A"},
		{"fixed\x1b[8m hidden", "note: holds the control character U+001B"},
		{"\u202eevil", "note: holds the bidirectional control U+202E"},
		{"bad\xff", "note: is not valid UTF-8"},
		{strings.Repeat("字", MaxNoteRunes+1), "note: is 501 characters; at most 500"},
	} {
		v := Check("A1", []string{"en"}, "correct")
		CheckNote(v, "note", c.note)
		if err := v.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v", c.note, err)
		}
	}
	for _, ok := range []string{"x", " " + strings.Repeat("字", MaxNoteRunes) + " "} {
		v := Check("A1", []string{"en"}, "correct")
		CheckNote(v, "note", ok)
		if err := v.Err(); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
