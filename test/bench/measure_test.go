//go:build bench

package bench

import (
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/markdown"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/review/memory"
)

// benchArticle is a realistic bilingual article of about 20 KB of HTML:
// the demo robotics article with its body repeated.
func benchArticle(t *testing.T) *articlev1.Article {
	t.Helper()
	files := map[string][]byte{}
	for l, ext := range map[string]string{"zh-CN": "zh", "en": "en"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "tandem", "demo", "robotics-gold."+ext+".md"))
		if err != nil {
			t.Fatal(err)
		}
		files[l] = b
	}
	a, err := markdown.Article(files, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Locales {
		blocks := c.Blocks
		for len(c.Blocks) < 12*len(blocks) {
			for _, b := range blocks {
				if b.GetParagraph() != nil {
					c.Blocks = append(c.Blocks, &articlev1.Block{Kind: b.Kind})
				}
			}
		}
	}
	a.Slug = "bench-robotics-team-wins-gold"
	return a
}

// renderTimes renders the benchmark article n times.
func renderTimes(t *testing.T, n int) (time.Duration, time.Duration) {
	t.Helper()
	a := benchArticle(t)
	r := &publishing.Renderer{Site: siteconfig.Default()}
	var ds []time.Duration
	for range n {
		t0 := time.Now()
		if _, err := r.Render(publishing.Page{Locale: "zh-CN", Section: a.Section, Date: a.Date, Slug: a.Slug, Content: a.Locales["zh-CN"], Published: []string{"zh-CN"}}); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	return percentiles(ds)
}

// fuzzyTimes times lookups in a memory of size entries of news-like
// Chinese sentences.
func fuzzyTimes(t *testing.T, size, lookups int) (time.Duration, time.Duration) {
	t.Helper()
	phrases := []string{"学校", "举办", "智能制造", "国际论坛", "来自", "德国", "专家学者", "参加了", "会议", "图书馆", "自习空间", "正式开放",
		"师生", "校园卡", "开放时间", "工作人员", "学生", "荣获", "金奖", "银奖", "技能大赛", "全国", "职业院校", "副校长", "表示", "进一步",
		"提升", "人才培养", "质量", "深化", "产教融合", "推动", "合作", "交流", "实验室", "科研", "成果", "发布", "研究", "团队"}
	rng := rand.New(rand.NewPCG(3, 4))
	sentence := func() string {
		var b strings.Builder
		for range 4 + rng.IntN(10) {
			b.WriteString(phrases[rng.IntN(len(phrases))])
		}
		return b.String() + "。"
	}
	m := memory.New()
	var sources []string
	for i := range size {
		s := sentence()
		m.Add(memory.Entry{Source: s, Target: fmt.Sprint("target ", i)})
		if i%(size/lookups) == 0 {
			sources = append(sources, s)
		}
	}
	var ds []time.Duration
	for _, s := range sources {
		q := []rune(s)
		q[len(q)/2] = '新'
		t0 := time.Now()
		m.Fuzzy(string(q), 75, 5)
		ds = append(ds, time.Since(t0))
	}
	return percentiles(ds)
}

// jetstreamFloor times n publishes, each received by a durable consumer.
func jetstreamFloor(t *testing.T, ctx context.Context, url string, n int) []time.Duration {
	t.Helper()
	nc := testkit.Connect(t, url)
	js, _ := jetstream.New(nc)
	name := fmt.Sprintf("FLOOR%d", time.Now().UnixNano())
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(context.Background(), name)
	cons, err := s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "floor", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{}, 1)
	cc, err := cons.Consume(func(m jetstream.Msg) { _ = m.Ack(); got <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Stop()
	var out []time.Duration
	for i := range n {
		t0 := time.Now()
		if _, err := js.Publish(ctx, fmt.Sprintf("%s.%d", name, i), []byte("x")); err != nil {
			t.Fatal(err)
		}
		<-got
		out = append(out, time.Since(t0))
	}
	return out
}

// rebuildSite starts `tandem serve site` on the stream and times it until
// it serves everything, then reads its resident memory.
func rebuildSite(t *testing.T, ctx context.Context, natsURL, stream, prefix, publishingAddr string) (time.Duration, int64) {
	t.Helper()
	bin := stacktest.Tandem(t)
	port := stacktest.FreePort(t)
	cmd := exec.CommandContext(ctx, bin, "serve", "site", "--nats-url", natsURL, "--public-stream", stream, "--public-prefix", prefix,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", port), "--publishing-addr", publishingAddr, "--metrics-addr", "", "--redis-url", "redis://127.0.0.1:1/0", "--log-level", "error")
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	for {
		if res, err := http.Get(health); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(t0) > 2*time.Minute {
			t.Fatal("the site did not catch up within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(t0)
	// Every page is served: the last one published, and the sitemap.
	if n := sitemapURLs(t, fmt.Sprintf("http://127.0.0.1:%d", port)); n != 20000 {
		t.Fatalf("rebuilt sitemap: %d urls", n)
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	var rss int64
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			rss = kb << 10
		}
	}
	return took, rss
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
		}
	}
	return runtime.GOARCH
}

func version(cmd string, arg string) string {
	out, _ := exec.Command(cmd, arg).CombinedOutput()
	s := strings.TrimSpace(string(out))
	if m := regexp.MustCompile(`\d+\.\d+(\.\d+)?`).FindString(s); m != "" {
		return m
	}
	return "unknown"
}

func compressBytes(b []byte) []byte {
	var buf strings.Builder
	zw, _ := gzipWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return []byte(buf.String())
}

func gzipWriter(w *strings.Builder) (*gzip.Writer, error) {
	return gzip.NewWriterLevel(w, gzip.BestCompression)
}
