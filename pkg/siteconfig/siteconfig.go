// Package siteconfig describes the public site: its name and motto in each
// language, its address, its base URL, its sections, and the URL scheme of
// article pages. Publishing renders with it and the site routes with it.
package siteconfig

import (
	"net/url"
	"strings"
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
	// Sections by key, each with its label per locale.
	Sections map[string]map[string]string
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
			"news-events": {"zh-CN": "新闻动态", "en": "News & Events"},
			"news":        {"zh-CN": "学校要闻", "en": "News"},
			"notices":     {"zh-CN": "通知公告", "en": "Notices"},
			"campus-life": {"zh-CN": "校园生活", "en": "Campus Life"},
			"research":    {"zh-CN": "科学研究", "en": "Research"},
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

// SectionLabel is the label of a section key in a locale, or the key
// itself when the configuration has none.
func (c *Config) SectionLabel(key, locale string) string {
	if l := c.Sections[key][locale]; l != "" {
		return l
	}
	return key
}
