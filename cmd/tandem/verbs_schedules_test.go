package main

import (
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbSchedulesOfAnArticleWithNonePrintsNone(t *testing.T) {
	e := startVerbEnv(t)
	zh, _ := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh)
	wantOutput(t, "schedules", e.run(t, auth.Editor, "schedules", id), "no schedules for "+id+"\n")
	e.fails(t, auth.Editor, "article NOSUCH not found", "schedules", "NOSUCH")

	e.run(t, auth.Admin, "draft", "purge", id, "--reason", "court order")
	e.fails(t, auth.Editor, "article "+id+" not found", "schedules", id)
}

func TestVerbPublishPrintsOnlyTheLocalesItReleased(t *testing.T) {
	e := startVerbEnv(t)
	id := e.approved(t)

	e.run(t, auth.Publisher, "publish", id)
	wantOutput(t, "publish --locale zh-CN", e.run(t, auth.Publisher, "publish", id, "--locale", "zh-CN"),
		"zh-CN  "+e.SiteURL+"/zh"+examHours+"\n")
	wantOutput(t, "publish --locale en", e.run(t, auth.Publisher, "publish", id, "--locale", "en"),
		"en     "+e.SiteURL+"/en"+examHours+"\n")
}
