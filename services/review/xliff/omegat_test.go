package xliff

import (
	"bytes"
	"strings"
	"testing"
)

// The sources below as OmegaT 3.6 showed them, from Write12's codes
// (its pseudo-translation TMX of such a file).
func TestOmegaTTagsAreThoseOmegaTMakesOfTheCodes(t *testing.T) {
	for src, want := range map[string]string{
		"一**东楼**和*西楼*开放。":                             "一<f0>东楼</f0>和<f1>西楼</f1>开放。",
		"二见[官网](https://x.cn/a?b=1&c=2)和`make test`。": "二见<f0>官网</f0>和<m1/>。",
		"三见![校园](campus.jpg)和<https://x.cn>。":         "三见<校0/>和<h1/>。",
		"四**[粗链接](https://y.cn)**。":                   "四<f0><f1>粗链接</f1></f0>。",
		"五`代码`和`x`和\\*星号\\*。":                         "五<代0/>和<x1/>和\\*星号\\*。",
	} {
		if got, _, ok := omegatPair(src, src); !ok || got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}

func TestOmegaTTMXNumbersTheTargetsCodesAsTheSources(t *testing.T) {
	d := &Doc{SrcLang: "zh-CN", TrgLang: "en", Units: []Unit{{ID: "b1", Segments: []Segment{
		{ID: "b1.1", Source: "**东楼**见[官网](https://x.cn)。", Target: "See [the website](https://x.cn) on the **East Building**."},
		{ID: "b1.2", Source: "座位共300个。", Target: "It has 280 seats.", SubState: needsReview},
		{ID: "b1.3", Source: "欢迎。"},
		{ID: "b1.4", Source: "东楼开放。", Target: "The **East Building** opens."},
		{ID: "b1.5", Source: "A & B。", Target: "A & B."},
	}}}}
	var b bytes.Buffer
	if err := WriteOmegaTTMX(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`<header creationtool="Tandem" creationtoolversion="1" segtype="sentence" o-tmf="tandem" adminlang="en" srclang="zh-CN" datatype="plaintext"/>`,
		`<tuv xml:lang="zh-CN"><seg>&lt;f0&gt;东楼&lt;/f0&gt;见&lt;f1&gt;官网&lt;/f1&gt;。</seg></tuv>`,
		`<tuv xml:lang="en"><seg>See &lt;f1&gt;the website&lt;/f1&gt; on the &lt;f0&gt;East Building&lt;/f0&gt;.</seg></tuv>`,
		`<seg>A &amp; B.</seg>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the TMX lacks %s:\n%s", want, out)
		}
	}
	// Not the segment to review, nor the one without English, nor the one
	// whose English has a code its source has not.
	for _, not := range []string{"280 seats", "欢迎", "东楼开放"} {
		if strings.Contains(out, not) {
			t.Errorf("the TMX holds %s:\n%s", not, out)
		}
	}
}
