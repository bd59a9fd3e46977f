// Package siteconfig describes the public site: its name and motto in each
// language, its address, its base URL, its sections, and the URL scheme of
// article pages. Publishing renders with it and the site routes with it.
package siteconfig

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
)

// The site's own files, which the site serves and every page links: the
// icon browsers show, and the logo that names the publisher in the pages'
// structured data.
const (
	IconPath = "/favicon.svg"
	LogoPath = "/logo.png"
)

// Locales the site serves, in the order pages list them.
var Locales = []string{"zh-CN", "en"}

// Config is the site's configuration.
type Config struct {
	// BaseURL is the public origin, e.g. "https://news.example.edu", used
	// for canonical and alternate links. No trailing slash.
	BaseURL string
	// Name of the institution per locale.
	Name map[string]string
	// Motto per locale, shown under the name.
	Motto map[string]string
	// Address per locale, shown in the footer.
	Address map[string]string
	// Sections by path (keys joined by "/", e.g. "news-events/news"), each
	// with its label per locale. Every prefix of a section is a section
	// too.
	Sections map[string]map[string]string `json:"sections"`
}

// Default is the demo university's site on localhost.
func Default() *Config {
	return &Config{
		BaseURL: "http://localhost:8080",
		Name:    map[string]string{"zh-CN": "滨江大学新闻网", "en": "Binjiang University News"},
		Motto:   map[string]string{"zh-CN": "博学笃行　明德至善", "en": "Learn widely, act steadfastly"},
		Address: map[string]string{
			"zh-CN": "滨江大学党委宣传部　地址：滨江市学府路1号　邮编：310000",
			"en":    "Office of Communications, Binjiang University, 1 Xuefu Road, Binjiang 310000, China",
		},
		Sections: map[string]map[string]string{
			"news-events":          {"zh-CN": "新闻动态", "en": "News & Events"},
			"news-events/news":     {"zh-CN": "学校要闻", "en": "News"},
			"news-events/notices":  {"zh-CN": "通知公告", "en": "Notices"},
			"news-events/research": {"zh-CN": "科研动态", "en": "Research"},
			"campus-life":          {"zh-CN": "校园生活", "en": "Campus Life"},
		},
	}
}

// Segment is the first path segment of a locale's pages: "zh" or "en".
func Segment(locale string) string {
	if i := strings.IndexByte(locale, '-'); i > 0 {
		return strings.ToLower(locale[:i])
	}
	return strings.ToLower(locale)
}

// LocaleOf is the locale whose pages start with segment, or "".
func LocaleOf(segment string) string {
	for _, l := range Locales {
		if Segment(l) == segment {
			return l
		}
	}
	return ""
}

// ArticlePath is the path of an article page:
// /{zh|en}/{section keys...}/{slug}, the same slug in every language.
func ArticlePath(locale string, section []string, slug string) string {
	parts := append([]string{"", Segment(locale)}, section...)
	parts = append(parts, url.PathEscape(slug))
	return strings.Join(parts, "/")
}

// HomePath is the front page of a locale: /zh/ or /en/.
func HomePath(locale string) string { return "/" + Segment(locale) + "/" }

// URL makes an absolute URL of a path.
func (c *Config) URL(path string) string { return c.BaseURL + path }

// SectionLabel is the label, in a locale, of the section at the end of
// path (e.g. ["news-events", "news"] is "News"), or its key when the
// configuration has none.
func (c *Config) SectionLabel(path []string, locale string) string {
	if l := c.Sections[strings.Join(path, "/")][locale]; l != "" {
		return l
	}
	return path[len(path)-1]
}

// SectionPaths lists the configured sections, sorted.
func (c *Config) SectionPaths() []string {
	out := make([]string, 0, len(c.Sections))
	for k := range c.Sections {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// HasSection reports whether the configuration defines the section.
func (c *Config) HasSection(path []string) bool {
	_, ok := c.Sections[strings.Join(path, "/")]
	return ok
}

// Load reads a site configuration from a JSON file; fields it leaves out
// keep the defaults. Every section must have a label in every locale, and
// every prefix of a section must be a section.
func Load(path string) (*Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("site configuration: %w", err)
	}
	var f struct {
		BaseURL  string                       `json:"base_url"`
		Name     map[string]string            `json:"name"`
		Motto    map[string]string            `json:"motto"`
		Address  map[string]string            `json:"address"`
		Sections map[string]map[string]string `json:"sections"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("site configuration %s: %w", path, err)
	}
	if f.BaseURL != "" {
		c.BaseURL = strings.TrimRight(f.BaseURL, "/")
	}
	for dst, src := range map[*map[string]string]map[string]string{&c.Name: f.Name, &c.Motto: f.Motto, &c.Address: f.Address} {
		if src != nil {
			*dst = src
		}
	}
	if f.Sections != nil {
		c.Sections = f.Sections
	}
	for key, labels := range c.Sections {
		for _, l := range Locales {
			if labels[l] == "" {
				return nil, fmt.Errorf("site configuration %s: section %q has no %s label", path, key, l)
			}
		}
		if i := strings.LastIndexByte(key, '/'); i > 0 && c.Sections[key[:i]] == nil {
			return nil, fmt.Errorf("site configuration %s: section %q is under %q, which is not a section", path, key, key[:i])
		}
	}
	return c, nil
}
