package review

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestTMXImportAndExportThroughTheService(t *testing.T) {
	s, _ := running(t)
	tmx := `<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="zh-CN"><seg>欢迎师生前来。</seg></tuv><tuv xml:lang="en"><seg>All are welcome.</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>欢迎师生前来。</seg></tuv><tuv xml:lang="en"><seg>All are welcome.</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>只有中文。</seg></tuv></tu>
</body></tmx>`
	res, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte(tmx)})
	if err != nil || res.Added != 1 || res.Duplicates != 1 || res.Skipped != 1 {
		t.Fatalf("import: %v %v", res, err)
	}
	if _, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte("<tmx><body><tu>")}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("broken TMX: %v", err)
	}
	again, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte(tmx)})
	if err != nil || again.Added != 0 || again.Duplicates != 2 {
		t.Fatalf("second import: %v %v", again, err)
	}
	out, err := s.ExportMemory(wang, &reviewv1.ExportMemoryRequest{})
	if err != nil || !strings.Contains(string(out.Tmx), "<seg>All are welcome.</seg>") {
		t.Fatalf("export: %s %v", out.GetTmx(), err)
	}
}
