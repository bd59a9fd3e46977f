package site

import (
	"os"
	"runtime/debug"
	"testing"
	"time"
)

// A replica catches up with the collector at catchUpGCPercent and
// gives the process its own setting back once it is ready.
func TestCatchingUpLowersTheCollectorsTargetUntilReady(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the site leaves the collector alone")
	}
	prev := debug.SetGCPercent(80)
	defer debug.SetGCPercent(prev)
	h := newHarness(t)
	h.run()
	// The restoring goroutine runs once ready is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := debug.SetGCPercent(80)
		if got == 80 {
			break
		}
		if got != catchUpGCPercent {
			t.Fatalf("GC percent %d, want %d while catching up or 80 after", got, catchUpGCPercent)
		}
		debug.SetGCPercent(got)
		if time.Now().After(deadline) {
			t.Fatalf("GC percent still %d after the replica was ready", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
