package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestWalkWaitsForTheJobWithoutFailedCalls(t *testing.T) {
	// The log goes to a file, which the test reads while the stack may
	// still write.
	logName := filepath.Join(t.TempDir(), "log")
	logs, err := os.Create(logName)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	cl, err := client.Dial(e.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 3 {
		a := stacktest.SampleArticle()
		a.Slug += fmt.Sprint("-", i)
		pub, err := cl.Walk(ctx, a, e.Tokens)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Locales) != 2 {
			t.Fatalf("published %v", pub.Locales)
		}
	}
	// Every call of the walk succeeded: the server logged no refused
	// call, only what the services did.
	b, err := os.ReadFile(logName)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "msg=rpc") {
			t.Errorf("the walk made a call that failed: %s", line)
		}
	}
}
