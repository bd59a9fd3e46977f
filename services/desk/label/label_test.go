package label

import (
	"strings"
	"testing"
)

func TestEveryLabelHasBothLanguages(t *testing.T) {
	for k := range zh {
		if en[k] == "" {
			t.Errorf("%q has no English label", k)
		}
		if strings.Count(zh[k], "%") != strings.Count(en[k], "%") {
			t.Errorf("%q takes different arguments in Chinese and English", k)
		}
	}
	for k := range en {
		if zh[k] == "" {
			t.Errorf("%q has no Chinese label", k)
		}
	}
}

func TestNegotiatePicksTheBrowsersLanguageAndChineseOtherwise(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                          Zh,
		"en-US,en;q=0.9":            En,
		"zh-CN,zh;q=0.9,en;q=0.8":   Zh,
		"zh-TW":                     Zh,
		"fr-FR,fr;q=0.9,en;q=0.5":   En,
		"de-DE":                     Zh,
		"en-GB;q=0.3,zh-Hans;q=0.9": Zh,
		"not a header;;;":           Zh,
	} {
		if got := Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
	if En.T("signout") != "Sign out" || Zh.T("signout") != "退出" || Zh.T("no.such.key") != "no.such.key" {
		t.Fatal("T looks up the wrong labels")
	}
}
