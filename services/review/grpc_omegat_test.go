package review

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/xliff"
)

// omegatJob opens a job of four paragraphs, all with English but the
// third (the second and fourth with Markdown marks, the fourth's in
// another order in English), and exports it with copies of the sources as
// targets.
func omegatJob(t *testing.T, s *Service, id string) *reviewv1.ExportXliffResponse {
	t.Helper()
	rev := open(t, s, submitArticle(t, s.bus, id, false, []string{"图书馆今天开放。", "**东楼**有280个座位。", "欢迎读者。", "详见[官网](https://x.cn/a?b=1&c=2)，运行`make test`。"}, []string{"", "", "", ""})).Revision
	for _, e := range [][2]string{{"b1.1", "The library opens today."}, {"b2.1", "The **East Building** has 280 seats."}, {"b4.1", "Run `make test`; see [the website](https://x.cn/a?b=1&c=2)."}} {
		res, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: id, SegmentId: e[0], ExpectedRevision: rev, Target: e[1]})
		if err != nil {
			t.Fatal(err)
		}
		rev = res.Job.Revision
	}
	exp, err := s.ExportXliff(wang, &reviewv1.ExportXliffRequest{ArticleId: id, Version: "1.2", Targets: "source"})
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

func TestXliff12WithSourceTargetsCarriesTheEnglishInATMX(t *testing.T) {
	s := fresh(t)
	for _, req := range []*reviewv1.ExportXliffRequest{
		{ArticleId: "X4", Targets: "source"},
		{ArticleId: "X4", Version: "1.2", Targets: "english"},
	} {
		if _, err := s.ExportXliff(wang, req); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "targets") {
			t.Errorf("%v: %v", req, err)
		}
	}
	exp := omegatJob(t, s, "X4")
	doc, tmx := string(exp.Xliff), string(exp.Tmx)
	for _, want := range []string{
		`tandem:targets="source"`,
		`<target xml:lang="en" state="translated">图书馆今天开放。</target>`,
		`<target xml:lang="en" state="needs-translation">欢迎读者。</target>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export lacks %s:\n%s", want, doc)
		}
	}
	for _, want := range []string{`<seg>图书馆今天开放。</seg>`, `<seg>The library opens today.</seg>`, `East Building`} {
		if !strings.Contains(tmx, want) {
			t.Errorf("the TMX lacks %s:\n%s", want, tmx)
		}
	}
	if strings.Contains(tmx, "欢迎读者") {
		t.Errorf("the TMX holds a segment without English:\n%s", tmx)
	}

	// The tool translates b3.1 and leaves the others as they were; b1.1
	// changes in Tandem meanwhile, and the tool then edits it too.
	translated := strings.NewReplacer(
		`state="needs-translation">欢迎读者。</target>`, `state="needs-translation">Readers welcome.</target>`,
	).Replace(doc)
	res, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X4", Xliff: []byte(translated)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 1 || len(res.Conflicts) != 0 {
		t.Fatalf("applied %d, conflicts %v", res.Applied, res.Conflicts)
	}
	j := res.Job
	if s3 := seg(j, "b3.1"); s3.Target != "Readers welcome." || s3.State != reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED {
		t.Errorf("b3.1 %v", s3)
	}
	if seg(j, "b1.1").Target != "The library opens today." || seg(j, "b2.1").Target != "The **East Building** has 280 seats." {
		t.Errorf("untranslated targets changed the English: %q, %q", seg(j, "b1.1").Target, seg(j, "b2.1").Target)
	}
	if _, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "X4", SegmentId: "b1.1", ExpectedRevision: j.Revision, Target: "Library open today."}); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(doc, `state="translated">图书馆今天开放。</target>`, `state="translated">The library is open today.</target>`, 1)
	res, err = s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X4", Xliff: []byte(edited)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 0 || len(res.Conflicts) != 1 || res.Conflicts[0].SegmentId != "b1.1" || seg(res.Job, "b1.1").Target != "Library open today." {
		t.Fatalf("applied %d, conflicts %v, b1.1 %q", res.Applied, res.Conflicts, seg(res.Job, "b1.1").Target)
	}
}

// omegatJar is OmegaT's jar (Debian's omegat package), or the test skips.
func omegatJar(t *testing.T) (java, jar string) {
	t.Helper()
	jar = "/usr/share/omegat/OmegaT.jar"
	if p := os.Getenv("OMEGAT_JAR"); p != "" {
		jar = p
	}
	java, err := exec.LookPath("java")
	if _, serr := os.Stat(jar); serr != nil || err != nil {
		t.Skipf("OmegaT is not installed (apt-get install omegat, or OMEGAT_JAR=path/to/OmegaT.jar): %s", jar)
	}
	return java, jar
}

// omegatProject is an OmegaT project folder for Chinese into English,
// one segment per sentence, as OmegaT 3.6 makes them.
const omegatProject = `<?xml version="1.0" encoding="UTF-8"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>zh-CN</source_lang>
    <target_lang>en</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
`

// A translator's own memory, in the project's tm/auto beside the job's
// TMX: OmegaT fills b3.1 from it, as a translator would translate it.
const translatorTMX = `<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="test" creationtoolversion="1" segtype="sentence" o-tmf="test" adminlang="en" srclang="zh-CN" datatype="plaintext"/>
<body><tu><tuv xml:lang="zh-CN"><seg>欢迎读者。</seg></tuv><tuv xml:lang="en"><seg>Readers welcome.</seg></tuv></tu></body></tmx>
`

func TestOmegaTTranslatesTheSourceTargetsExport(t *testing.T) {
	java, jar := omegatJar(t)
	s := fresh(t)
	exp := omegatJob(t, s, "X5")
	dir := t.TempDir()
	for _, d := range []string{"omegat", "source", "target", "tm/auto", "glossary", "dictionary"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string][]byte{
		"omegat.project":         []byte(omegatProject),
		"source/X5.xlf":          exp.Xliff,
		"tm/auto/X5.tmx":         exp.Tmx,
		"tm/auto/translator.tmx": []byte(translatorTMX),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, "-Djava.awt.headless=true", "-jar", jar, dir, "--mode=console-translate")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // OmegaT writes its settings there
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("OmegaT: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "target", "X5.xlf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OmegaT's translated file:\n%s", got)
	// OmegaT filled every segment: b1.1, b2.1 and b4.1 (their marks as
	// codes) from the job's TMX, b3.1 from the translator's.
	doc, err := xliff.Read(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range doc.Units {
		for _, xs := range u.Segments {
			if xs.Target == xs.Source {
				t.Errorf("OmegaT left %s untranslated: %q", xs.ID, xs.Target)
			}
		}
	}
	res, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X5", Xliff: got})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 1 || len(res.Conflicts) != 0 {
		t.Fatalf("applied %d, conflicts %v", res.Applied, res.Conflicts)
	}
	j := res.Job
	if s3 := seg(j, "b3.1"); s3.Target != "Readers welcome." || s3.State != reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED {
		t.Errorf("b3.1 %v", s3)
	}
	if seg(j, "b1.1").Target != "The library opens today." || seg(j, "b2.1").Target != "The **East Building** has 280 seats." || seg(j, "b4.1").Target != "Run `make test`; see [the website](https://x.cn/a?b=1&c=2)." {
		t.Errorf("the English changed: %q, %q, %q", seg(j, "b1.1").Target, seg(j, "b2.1").Target, seg(j, "b4.1").Target)
	}
}
