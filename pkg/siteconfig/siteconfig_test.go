package siteconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "site.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadReadsSectionsAndKeepsDefaults(t *testing.T) {
	c, err := Load(write(t, `{"base_url": "https://news.example.edu/", "sections": {
		"news": {"zh-CN": "新闻", "en": "News"},
		"news/campus": {"zh-CN": "校园", "en": "Campus"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://news.example.edu" || c.Name["en"] != Default().Name["en"] {
		t.Fatalf("config %+v", c)
	}
	if !c.HasSection([]string{"news", "campus"}) || c.HasSection([]string{"news-events"}) {
		t.Fatal("sections not replaced")
	}
	if got := c.SectionLabel([]string{"news", "campus"}, "zh-CN"); got != "校园" {
		t.Fatalf("label %q", got)
	}
}

func TestLoadRejectsIncompleteSections(t *testing.T) {
	for name, body := range map[string]string{
		"missing label":  `{"sections": {"news": {"zh-CN": "新闻"}}}`,
		"orphan section": `{"sections": {"news/campus": {"zh-CN": "校园", "en": "Campus"}}}`,
		"not json":       `sections: {}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(write(t, body)); err == nil || !strings.Contains(err.Error(), "site configuration") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestArticlePathUsesTheLocaleSegment(t *testing.T) {
	if got := ArticlePath("zh-CN", []string{"news-events", "news"}, "forum"); got != "/zh/news-events/news/forum" {
		t.Fatal(got)
	}
	if LocaleOf("en") != "en" || LocaleOf("zh") != "zh-CN" || LocaleOf("fr") != "" {
		t.Fatal("LocaleOf")
	}
}
