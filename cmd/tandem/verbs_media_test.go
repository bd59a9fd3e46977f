package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbMediaAddListShowAlt(t *testing.T) {
	e := startVerbEnv(t)
	photo, err := os.ReadFile(filepath.Join("demo", "photos", "robotics-team.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(e.dir, "robot.jpg")
	if err := os.WriteFile(file, photo, 0o644); err != nil {
		t.Fatal(err)
	}
	e.fails(t, auth.Editor, "the request was not accepted:\n  - alt[\"en\"] is required: what the photo shows, in English, for readers who cannot see it",
		"media", "add", file, "--alt-zh", "赛台上的机器人")
	out := e.run(t, auth.Editor, "media", "add", file, "--alt-zh", "赛台上的机器人", "--alt-en", "A robot on the contest table", "--credit", "Tandem")
	m := regexp.MustCompile(`^added ([0-9a-f]{64}) \(image/jpeg, 1200×800, widths 320, 640, 1024, 1200\)\nin a figure: !\[caption\]\(media:([0-9a-f]{64})\)\n$`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] {
		t.Fatalf("media add printed %q", out)
	}
	id := m[1]
	if out := e.run(t, auth.Editor, "media", "add", file, "--alt-zh", "赛台上的机器人", "--alt-en", "A robot on the contest table", "--credit", "Tandem"); !strings.HasPrefix(out, "already in the library: "+id) {
		t.Errorf("the same photo again printed %q", out)
	}
	if out := e.run(t, auth.Translator, "media", "list"); !strings.Contains(out, id+"  1200×800  jpg") || !strings.Contains(out, "A robot on the contest table") || !strings.HasSuffix(out, "1 item(s)\n") {
		t.Errorf("media list printed %q", out)
	}
	out = e.run(t, auth.Editor, "media", "alt", id, "--alt-en", "A delivery robot holding a parcel", "--credit-zh", "机电学院")
	for _, want := range []string{
		"alt zh-CN     赛台上的机器人", "alt en        A delivery robot holding a parcel",
		"credit zh-CN  机电学院", "credit en     Tandem", "/media/" + id + "-320.jpg",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("media alt printed %q, want %q in it", out, want)
		}
	}
	if show := e.run(t, auth.Translator, "media", "show", id); show != out {
		t.Errorf("media show printed\n%s\nnot what alt printed\n%s", show, out)
	}
	e.fails(t, auth.Translator, "not allowed: uploading a media requires the editor or publisher or admin role; test-translator has the translator role",
		"media", "add", file, "--alt-zh", "x", "--alt-en", "x")
	e.fails(t, auth.Editor, "the request was not accepted:\n  - id \"nope\" is not a media id: 64 lowercase hex digits", "media", "show", "nope")
}
