package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// healthVerb runs tandem health TARGET and returns what it printed.
func healthVerb(target string) (string, error) {
	root := rootCmd()
	var out strings.Builder
	root.SetOut(&out)
	root.SetArgs([]string{"health", target})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func TestVerbHealthSaysWhetherAServiceIsReady(t *testing.T) {
	e := startVerbEnv(t)
	for _, target := range []string{e.GRPCAddr, e.SiteURL + "/readyz", e.DeskURL + "/readyz"} {
		if out, err := healthVerb(target); err != nil || !strings.Contains(out, "healthy") {
			t.Errorf("health %s: %q, %v; want healthy", target, out, err)
		}
	}
	if _, err := healthVerb(e.SiteURL + "/no-such-page"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("health of an address answering 404: %v; want a failure naming 404", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close()
	if _, err := healthVerb(gone); err == nil {
		t.Errorf("health of %s, where nothing listens, succeeded", gone)
	}
}
