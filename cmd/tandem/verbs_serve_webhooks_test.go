package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	"github.com/tandemnews/tandem/services/webhooks"
)

// TestServeWebhooksAloneOnlyAttachesToPublic runs `tandem serve webhooks`
// as an operator would: it answers the admins' verbs, and it creates no
// stream (the EDITORIAL it is given the name of never comes to exist).
func TestServeWebhooksAloneOnlyAttachesToPublic(t *testing.T) {
	url := testkit.StartNATS(t).URL()
	bus := testkit.Bus(t, url)
	cfg := bus.Config()
	token := auth.NewToken()
	authFile := filepath.Join(t.TempDir(), "auth.json")
	if err := auth.Write(authFile, []auth.Grant{{User: auth.User{ID: "ops", Name: "Ops", Roles: []auth.Role{auth.Admin}}, Token: token}}); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", stacktest.FreePort(t))
	missing := cfg.EditorialStream + "_NONE"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := rootCmd()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"serve", "webhooks", "--nats-url", url, "--grpc-addr", addr, "--auth-file", authFile, "--metrics-addr", "",
			"--public-stream", cfg.PublicStream, "--public-prefix", cfg.PublicPrefix, "--editorial-stream", missing, "--log-level", "error"})
		done <- root.ExecuteContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("tandem serve webhooks stopped with: %v", err)
		}
		c, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = bus.JetStream().DeleteKeyValue(c, webhooks.Bucket(cfg))
	})

	var out bytes.Buffer
	stacktest.Eventually(t, "tandem serve webhooks answers tandem webhooks list", func() bool {
		root := rootCmd()
		out.Reset()
		root.SetOut(&out)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"webhooks", "list", "--addr", addr, "--token", token})
		return root.Execute() == nil
	})
	if !strings.HasSuffix(out.String(), "0 endpoint(s)\n") {
		t.Errorf("tandem webhooks list printed %q", out.String())
	}
	if _, err := bus.JetStream().Stream(context.Background(), missing); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("tandem serve webhooks made stream %s (%v): it must only attach to PUBLIC", missing, err)
	}
}
