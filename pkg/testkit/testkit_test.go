package testkit

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// outcome records how a test ended: the message it failed or was skipped
// with.
type outcome struct {
	testing.TB
	fatal, skip string
}

func (o *outcome) Helper() {}

func (o *outcome) Fatalf(format string, args ...any) {
	o.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcome) Skipf(format string, args ...any) {
	o.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// sharedOutcome calls Shared for a folder that does not exist, as a test
// of its own, and returns how that test ended.
func sharedOutcome(t *testing.T) *outcome {
	o := &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Shared(o, "no-such-folder")
	}()
	<-done
	return o
}

func TestSharedFailsInCIWhenTheDataIsAbsent(t *testing.T) {
	t.Setenv("CI", "true")
	o := sharedOutcome(t)
	if o.fatal == "" || !strings.Contains(o.fatal, "no-such-folder") {
		t.Errorf("with CI=true an absent shared folder gave failure %q and skip %q; want a failure naming the folder", o.fatal, o.skip)
	}
}

func TestSharedSkipsOutsideCIWhenTheDataIsAbsent(t *testing.T) {
	t.Setenv("CI", "")
	o := sharedOutcome(t)
	if o.skip == "" || o.fatal != "" || !strings.Contains(o.skip, "no-such-folder") {
		t.Errorf("without CI an absent shared folder gave failure %q and skip %q; want a skip naming the folder", o.fatal, o.skip)
	}
}
