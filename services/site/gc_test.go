package site

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gogc reads the collector's target without changing it.
func gogc() int {
	m := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(m)
	return int(m[0].Value.Uint64())
}

// A replica catches up with the collector at catchUpGCPercent and gives
// the process its own setting back once it is ready.
func TestCatchingUpLowersTheCollectorsTargetUntilReady(t *testing.T) {
	prev := debug.SetGCPercent(80)
	defer debug.SetGCPercent(prev)
	s := &Site{ready: make(chan struct{})}
	s.lowerGCUntilReady(context.Background())
	if got := gogc(); got != catchUpGCPercent {
		t.Fatalf("GC percent %d while catching up, want %d", got, catchUpGCPercent)
	}
	close(s.ready)
	deadline := time.Now().Add(5 * time.Second)
	for gogc() != 80 {
		if time.Now().After(deadline) {
			t.Fatalf("GC percent %d once ready, want the process's 80", gogc())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
