package memory

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExactAndFuzzyLookup(t *testing.T) {
	m := New()
	day := time.Date(2024, 5, 16, 0, 0, 0, 0, time.UTC)
	m.Add(Entry{Source: "校长陈志强致欢迎辞。", Target: "President Chen Zhiqiang delivered a welcome speech.", Date: day})
	m.Add(Entry{Source: "图书馆24小时自习空间正式开放。", Target: "The Library's 24-hour study space opens.", Date: day})
	if !m.Add(Entry{Source: "校长陈志强致欢迎辞。", Target: "President Chen gave a welcome speech.", Date: day.Add(time.Hour)}) {
		t.Fatal("a second translation of the same source was not added")
	}
	if m.Add(Entry{Source: " 校长陈志强致欢迎辞。 ", Target: "President Chen gave a welcome speech.", Date: day}) {
		t.Fatal("the same pair was added twice")
	}
	ex := m.Exact("校长陈志强致欢迎辞。")
	if len(ex) != 2 || ex[0].Target != "President Chen gave a welcome speech." {
		t.Fatalf("exact, newest first: %+v", ex)
	}
	got := m.Fuzzy("副校长陈志强致欢迎辞。", 75, 5)
	if len(got) != 2 || got[0].Score != 90 || !strings.HasPrefix(got[0].Target, "President Chen gave") {
		t.Fatalf("fuzzy: %+v", got)
	}
	if got := m.Fuzzy("图书馆举办读书节活动。", 75, 5); len(got) != 0 {
		t.Fatalf("unrelated source matched: %+v", got)
	}
	// English sources compare by words, case aside.
	m.Add(Entry{Source: "The forum opened on May 14.", Target: "论坛于5月14日开幕。"})
	if got := m.Fuzzy("The Forum opened on May 15.", 75, 1); len(got) != 1 || got[0].Score != 83 {
		t.Fatalf("word-level score: %+v", got)
	}
}

// TestFuzzyFindsWhatAFullScanFinds checks the bigram prefilter against a
// scan of every entry on random Chinese text.
func TestFuzzyFindsWhatAFullScanFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := New()
	var all []string
	for range 1500 {
		s := sentence(rng)
		all = append(all, s)
		m.Add(Entry{Source: s, Target: "x"})
	}
	scan := newScanner(t, all)
	for range 100 {
		q := mutate(rng, all[rng.IntN(len(all))])
		want := map[string]int{}
		for s, sc := range scan.scores(q) {
			if sc >= 75 {
				want[s] = sc
			}
		}
		got := map[string]int{}
		for _, mt := range m.Fuzzy(q, 75, 1000) {
			got[mt.Source] = mt.Score
		}
		if len(got) != len(want) {
			t.Fatalf("query %q: index found %d, scan %d", q, len(got), len(want))
		}
		for s, sc := range want {
			if got[s] != sc {
				t.Fatalf("query %q: %q scored %d by the index, %d by the scan", q, s, got[s], sc)
			}
		}
	}
}

var phrases = []string{
	"学校", "举办", "智能制造", "国际论坛", "来自", "德国", "新加坡", "专家学者", "参加了", "会议",
	"图书馆", "自习空间", "正式开放", "师生", "可通过", "校园卡", "进入", "开放时间", "工作人员", "巡查",
	"学生", "荣获", "金奖", "银奖", "铜奖", "技能大赛", "全国", "职业院校", "副校长", "表示",
	"将", "进一步", "提升", "人才培养", "质量", "深化", "产教融合", "推动", "合作", "交流",
}

func sentence(rng *rand.Rand) string { return compose(rng, phrases, 4, "", "。") }

// compose joins least to least+7 parts drawn at random and ends them.
func compose(rng *rand.Rand, parts []string, least int, sep, end string) string {
	ps := make([]string, least+rng.IntN(8))
	for i := range ps {
		ps[i] = parts[rng.IntN(len(parts))]
	}
	return strings.Join(ps, sep) + end
}

// mutate changes a few characters of s.
func mutate(rng *rand.Rand, s string) string { return string(edit(rng, []rune(s), '新', '大')) }

// edit changes, drops or adds up to three of the units.
func edit[T any](rng *rand.Rand, units []T, changed, added T) []T {
	for range rng.IntN(4) {
		i := rng.IntN(len(units))
		switch rng.IntN(3) {
		case 0:
			units[i] = changed
		case 1:
			units = slices.Delete(units, i, i+1)
		default:
			units = slices.Insert(units, i, added)
		}
	}
	return units
}

func TestTMXRoundTrip(t *testing.T) {
	day := time.Date(2024, 5, 16, 8, 30, 0, 0, time.UTC)
	in := []Entry{
		{Source: "校长陈志强致欢迎辞。", Target: "President Chen Zhiqiang delivered a welcome speech.", SourceLang: "zh-CN", TargetLang: "en", Article: "A1", Translator: "wang", Date: day},
		{Source: "面积达1.2万平方米 & <更多>。", Target: `It covers 12,000 "square" meters & <more>.`, SourceLang: "zh-CN", TargetLang: "en"},
	}
	var buf bytes.Buffer
	if err := ExportTMX(&buf, in, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<tmx version="1.4">`) || !strings.Contains(buf.String(), `xml:lang="zh-CN"`) {
		t.Fatalf("not TMX 1.4:\n%s", buf.String())
	}
	out, skipped, err := ImportTMX(&buf, "zh-CN", "en")
	if err != nil || skipped != 0 {
		t.Fatalf("import: %v, %d skipped", err, skipped)
	}
	if !slices.Equal(out, in) {
		t.Fatalf("round trip\n got %+v\nwant %+v", out, in)
	}
}

func TestImportTMXReadsOtherToolsFiles(t *testing.T) {
	const file = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT" adminlang="EN-US" srclang="ZH-CN" datatype="plaintext"/>
  <body>
    <tu tuid="1" changedate="20240101T000000Z">
      <tuv xml:lang="ZH-CN"><seg>点击<bpt i="1">&lt;b&gt;</bpt>这里<ept i="1">&lt;/b&gt;</ept>报名</seg></tuv>
      <tuv xml:lang="EN-GB"><seg>Click <bpt i="1">&lt;b&gt;</bpt>here<ept i="1">&lt;/b&gt;</ept> to <hi>register</hi></seg></tuv>
    </tu>
    <tu><tuv xml:lang="ZH-CN"><seg>只有中文</seg></tuv></tu>
  </body>
</tmx>`
	out, skipped, err := ImportTMX(strings.NewReader(file), "zh-CN", "en")
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || len(out) != 1 || out[0].Source != "点击这里报名" || out[0].Target != "Click here to register" {
		t.Fatalf("got %+v, %d skipped", out, skipped)
	}
	for _, bad := range []string{"", "<tmx version=\"1.4\"><body><tu>", "<html/>", `<tmx version="2.0"/>`} {
		if _, _, err := ImportTMX(strings.NewReader(bad), "zh-CN", "en"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzImportTMX(f *testing.F) {
	var buf bytes.Buffer
	ExportTMX(&buf, []Entry{{Source: "一", Target: "one", SourceLang: "zh-CN", TargetLang: "en", Date: time.Unix(0, 0)}}, "zh-CN")
	f.Add(buf.String())
	f.Add(`<tmx version="1.4"><body><tu><tuv lang="zh"><seg>a<ph>x</ph></seg></tuv><tuv lang="en"><seg>b</seg></tuv></tu></body></tmx>`)
	f.Fuzz(func(t *testing.T, data string) {
		entries, _, err := ImportTMX(strings.NewReader(data), "zh-CN", "en")
		if err != nil {
			return
		}
		m := New()
		for _, e := range entries {
			m.Add(e)
			m.Fuzzy(e.Source, 75, 3)
		}
	})
}

// benchMemory fills a memory with n synthetic news sentences.
func benchMemory(n int) (*Memory, []string) {
	rng := rand.New(rand.NewPCG(7, 8))
	m := New()
	var queries []string
	for i := range n {
		s := sentence(rng)
		m.Add(Entry{Source: s, Target: fmt.Sprint("target ", i)})
		if i%(n/100) == 0 {
			queries = append(queries, mutate(rng, s))
		}
	}
	return m, queries
}

func BenchmarkFuzzy(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		m, queries := benchMemory(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.Fuzzy(queries[i%len(queries)], 75, 5)
				i++
			}
		})
	}
}

func TestRemoveArticleDropsItsPairsAndKeepsTheIndexRight(t *testing.T) {
	m := New()
	m.Add(Entry{Source: "校长致欢迎辞。", Target: "The President spoke.", Article: "A"})
	m.Add(Entry{Source: "校长致闭幕辞。", Target: "The President closed.", Article: "B"})
	if n := m.RemoveArticle("A"); n != 1 || m.Len() != 1 {
		t.Fatalf("removed %d, %d left", n, m.Len())
	}
	if got := m.Fuzzy("校长致欢迎辞。", 50, 5); len(got) != 1 || got[0].Article != "B" {
		t.Fatalf("after removal: %+v", got)
	}
	if len(m.Exact("校长致欢迎辞。")) != 0 {
		t.Fatal("exact match survives removal")
	}
}

// BenchmarkFuzzyP99 times lookups one by one and reports their 99th
// percentile (p99-ms) and median (p50-ms) in wall time, and the 99th
// percentile of the CPU time the lookup's thread used (cpu-p99-ms, Linux;
// what the wall time would be on an idle core), at the default threshold
// (75) and the lowest a search may ask for (50). docs/review.md states the
// targets: 20 ms at 100,000 units, 150 ms at 1,000,000. A memory of
// 1,000,000 units takes minutes and gigabytes to build, so it is measured
// only when TANDEM_BENCH_MEMORY_1M is set.
func BenchmarkFuzzyP99(b *testing.B) {
	sizes := []int{100000}
	if os.Getenv("TANDEM_BENCH_MEMORY_1M") != "" {
		sizes = append(sizes, 1000000)
	}
	for _, n := range sizes {
		m, queries := benchMemory(n)
		for _, min := range []int{75, 50} {
			b.Run(fmt.Sprintf("%d/min%d", n, min), func(b *testing.B) {
				cpu, unlock := threadCPU()
				defer unlock()
				var times, cpus []time.Duration
				i := 0
				for b.Loop() {
					start, used := time.Now(), cpu()
					m.Fuzzy(queries[i%len(queries)], min, 5)
					times = append(times, time.Since(start))
					cpus = append(cpus, cpu()-used)
					i++
				}
				ms := func(ds []time.Duration, at int) float64 {
					slices.Sort(ds)
					return float64(ds[len(ds)*at/100].Microseconds()) / 1000
				}
				b.ReportMetric(ms(times, 50), "p50-ms")
				b.ReportMetric(ms(times, 99), "p99-ms")
				b.ReportMetric(ms(cpus, 99), "cpu-p99-ms")
			})
		}
	}
}
