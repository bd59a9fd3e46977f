package draft

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tandemnews/tandem/pkg/textdiff"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// blockText is what a reader sees of a block, as one text to compare.
func blockText(b *articlev1.Block) string {
	switch k := b.GetKind().(type) {
	case *articlev1.Block_Paragraph:
		return k.Paragraph.GetText()
	case *articlev1.Block_Heading:
		return k.Heading.GetText()
	case *articlev1.Block_Figure:
		parts := []string{k.Figure.GetFile(), k.Figure.GetCaption()}
		if k.Figure.GetCredit() != "" {
			parts = append(parts, k.Figure.GetCredit())
		}
		return strings.Join(parts, "\n")
	case *articlev1.Block_Quote:
		if k.Quote.GetAttribution() != "" {
			return k.Quote.GetText() + "\n— " + k.Quote.GetAttribution()
		}
		return k.Quote.GetText()
	case *articlev1.Block_List:
		return strings.Join(k.List.GetItems(), "\n")
	}
	return ""
}

func kindOf(b *articlev1.Block) string { return fmt.Sprintf("%T", b.GetKind()) }

// sameBlock reports whether two blocks show the same thing.
func sameBlock(a, b *articlev1.Block) bool {
	if kindOf(a) != kindOf(b) || blockText(a) != blockText(b) {
		return false
	}
	if h, g := a.GetHeading(), b.GetHeading(); h != nil && h.Level != g.Level {
		return false
	}
	if l, m := a.GetList(), b.GetList(); l != nil && l.Ordered != m.Ordered {
		return false
	}
	return true
}

// carryIDs gives blocks without an id the id of the block they continue
// in the previous revision: first an unchanged block, then the most
// similar one, then a block of the same kind at the same place. Blocks it cannot place keep no id and get
// a new one in validation. So an editor who rewrites the Markdown file
// keeps the ids translations follow.
func carryIDs(prev, next *articlev1.Article) {
	for tag, c := range next.GetLocales() {
		old := prev.GetLocales()[tag].GetBlocks()
		used := map[string]bool{}
		for _, b := range c.GetBlocks() {
			if b.GetId() != "" {
				used[b.Id] = true
			}
		}
		for _, b := range c.GetBlocks() {
			if b.GetId() != "" {
				continue
			}
			for _, o := range old {
				if !used[o.Id] && sameBlock(o, b) {
					b.Id, used[o.Id] = o.Id, true
					break
				}
			}
		}
		// Then the most similar unused block of the same kind, if at least
		// half its text is still there.
		for _, b := range c.GetBlocks() {
			if b.GetId() != "" {
				continue
			}
			best, score := "", 0.5
			for _, o := range old {
				if used[o.Id] || kindOf(o) != kindOf(b) {
					continue
				}
				if sc := similarity(blockText(o), blockText(b), tag); sc >= score {
					best, score = o.Id, sc
				}
			}
			if best != "" {
				b.Id, used[best] = best, true
			}
		}
		for i, b := range c.GetBlocks() {
			if b.GetId() == "" && i < len(old) && !used[old[i].Id] && kindOf(old[i]) == kindOf(b) {
				b.Id, used[old[i].Id] = old[i].Id, true
			}
		}
	}
}

// similarity is the share of both texts that the diff keeps equal, 0 to 1.
func similarity(a, b, locale string) float64 {
	total := utf8.RuneCountInString(a) + utf8.RuneCountInString(b)
	if total == 0 {
		return 1
	}
	same := 0
	for _, s := range textdiff.Diff(a, b, locale) {
		if s.Op == textdiff.Equal {
			same += 2 * utf8.RuneCountInString(s.Text)
		}
	}
	return float64(same) / float64(total)
}

// OrderedLocales lists the locales of both articles, the source (b's)
// first, then the others in order.
func OrderedLocales(a, b *articlev1.Article) []string {
	var out []string
	for _, m := range []map[string]*articlev1.LocalizedContent{a.GetLocales(), b.GetLocales()} {
		for l := range m {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	src := b.GetSourceLocale()
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == src) != (out[j] == src) {
			return out[i] == src
		}
		return out[i] < out[j]
	})
	return out
}

// Diff compares two versions of an article.
func Diff(from, to *articlev1.Article) *draftingv1.DiffRevisionsResponse {
	res := &draftingv1.DiffRevisionsResponse{}
	field := func(name, a, b, locale string) {
		if a != b {
			res.Fields = append(res.Fields, &draftingv1.FieldChange{Field: name, From: a, To: b, Diff: textdiff.Spans(a, b, locale)})
		}
	}
	field("date", from.GetDate(), to.GetDate(), "en")
	field("section", strings.Join(from.GetSection(), "/"), strings.Join(to.GetSection(), "/"), "en")
	field("slug", from.GetSlug(), to.GetSlug(), "en")
	for _, l := range OrderedLocales(from, to) {
		a, b := from.GetLocales()[l], to.GetLocales()[l]
		p := fmt.Sprintf("locales[%q].", l)
		field(p+"title", a.GetTitle(), b.GetTitle(), l)
		field(p+"summary", a.GetSummary(), b.GetSummary(), l)
		field(p+"keywords", strings.Join(a.GetKeywords(), ", "), strings.Join(b.GetKeywords(), ", "), l)
		field(p+"byline.authors", strings.Join(a.GetByline().GetAuthors(), ", "), strings.Join(b.GetByline().GetAuthors(), ", "), l)
		field(p+"byline.office", a.GetByline().GetOffice(), b.GetByline().GetOffice(), l)
		res.Blocks = append(res.Blocks, diffBlocks(l, a.GetBlocks(), b.GetBlocks())...)
	}
	return res
}

// diffBlocks matches blocks by id. Among the blocks both revisions have,
// those outside the longest common order are the moved ones.
func diffBlocks(locale string, old, cur []*articlev1.Block) []*draftingv1.BlockChange {
	oldAt := map[string]int{}
	for i, b := range old {
		oldAt[b.GetId()] = i
	}
	curAt := map[string]int{}
	for i, b := range cur {
		curAt[b.GetId()] = i
	}
	var oldCommon, curCommon []string
	for _, b := range old {
		if _, ok := curAt[b.GetId()]; ok {
			oldCommon = append(oldCommon, b.GetId())
		}
	}
	for _, b := range cur {
		if _, ok := oldAt[b.GetId()]; ok {
			curCommon = append(curCommon, b.GetId())
		}
	}
	stay := lcs(oldCommon, curCommon)

	type keyed struct {
		at float64
		c  *draftingv1.BlockChange
	}
	var out []keyed
	for i, b := range cur {
		c := &draftingv1.BlockChange{Locale: locale, BlockId: b.GetId(), FromIndex: -1, ToIndex: int32(i), ToText: blockText(b)}
		if j, ok := oldAt[b.GetId()]; ok {
			c.FromIndex, c.FromText = int32(j), blockText(old[j])
			c.Moved = !stay[b.GetId()]
			c.Changed = !sameBlock(old[j], b)
		} else {
			c.Added = true
		}
		if c.Added || c.Moved || c.Changed {
			c.Diff = textdiff.Spans(c.FromText, c.ToText, locale)
			out = append(out, keyed{float64(i), c})
		}
	}
	// A removed block goes just after the block before it that survived.
	prev := -1.0
	for j, b := range old {
		if i, ok := curAt[b.GetId()]; ok {
			prev = float64(i)
			continue
		}
		c := &draftingv1.BlockChange{Locale: locale, BlockId: b.GetId(), Removed: true, FromIndex: int32(j), ToIndex: -1, FromText: blockText(b)}
		c.Diff = textdiff.Spans(c.FromText, "", locale)
		out = append(out, keyed{prev + 0.5, c})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	changes := make([]*draftingv1.BlockChange, len(out))
	for i, k := range out {
		changes[i] = k.c
	}
	return changes
}

// lcs returns the ids in the longest common subsequence of a and b.
func lcs(a, b []string) map[string]bool {
	n, m := len(a), len(b)
	t := make([][]int, n+1)
	for i := range t {
		t[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	in := map[string]bool{}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			in[a[i]] = true
			i, j = i+1, j+1
		case t[i+1][j] >= t[i][j+1]:
			i++
		default:
			j++
		}
	}
	return in
}

// Summary says in one line what changed from prev to cur (prev is nil for
// the first revision).
func Summary(eventType string, prev, cur *draftingv1.Draft) string {
	switch {
	case prev == nil:
		return "created (" + strings.Join(OrderedLocales(nil, cur.GetArticle()), ", ") + ")"
	case cur.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED && cur.GetSubmittedRevision() != prev.GetSubmittedRevision():
		return fmt.Sprintf("submitted revision %d", cur.GetSubmittedRevision())
	}
	d := Diff(prev.GetArticle(), cur.GetArticle())
	var parts []string
	for _, f := range d.Fields {
		name := f.Field
		if l, rest, ok := strings.Cut(strings.TrimPrefix(name, "locales["), "]."); ok && strings.HasPrefix(name, "locales[") {
			name = rest + " (" + strings.Trim(l, `"`) + ")"
		}
		parts = append(parts, name)
	}
	counts := map[string]map[string]int{}
	var order []string
	for _, b := range d.Blocks {
		if counts[b.Locale] == nil {
			counts[b.Locale] = map[string]int{}
			order = append(order, b.Locale)
		}
		switch {
		case b.Added:
			counts[b.Locale]["added"]++
		case b.Removed:
			counts[b.Locale]["removed"]++
		case b.Changed:
			counts[b.Locale]["changed"]++
		case b.Moved:
			counts[b.Locale]["moved"]++
		}
	}
	for _, l := range order {
		var ws []string
		for _, what := range []string{"changed", "added", "removed", "moved"} {
			if n := counts[l][what]; n > 0 {
				ws = append(ws, fmt.Sprintf("%d %s", n, what))
			}
		}
		parts = append(parts, "blocks "+strings.Join(ws, ", ")+" ("+l+")")
	}
	if len(parts) == 0 {
		return "no change to the content"
	}
	return strings.Join(parts, "; ")
}
