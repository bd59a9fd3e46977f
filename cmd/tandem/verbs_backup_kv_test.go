package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestVerbBackupAndRestoreCoverTheKeyValueBuckets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testkit.StartNATS(t)
	nc := testkit.Connect(t, srv.URL())
	bus, err := events.Open(ctx, nc, testkit.StreamConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := bus.Config()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// A bucket named after each stream, as the webhooks' and the preview
	// key's are; one whose entries outlive its age limit between the
	// backup and the restore, as idle sessions do; and one of someone else.
	keep := map[string]map[string]string{
		cfg.PublicStream + "_WEBHOOKS":       {"endpoint.a": "https://example.edu/hook", "endpoint.b": "https://example.org/新闻"},
		cfg.EditorialStream + "_PREVIEW_KEY": {"hmac-sha256": strings.Repeat("k", 32)},
	}
	for bucket, entries := range keep {
		kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range entries {
			if _, err := kv.PutString(ctx, k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	const ttl = 2 * time.Second
	short, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: cfg.EditorialStream + "_SESSIONS", TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"s1", "s2"} {
		if _, err := short.PutString(ctx, k, "a session"); err != nil {
			t.Fatal(err)
		}
	}
	other, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "SOMEONE_ELSES_KV"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.PutString(ctx, "x", "not Tandem's"); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "backup")
	out, err := streamsVerb(srv.URL(), cfg, "backup", dir)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	for bucket := range keep {
		if !strings.Contains(out, "KV_"+bucket) {
			t.Errorf("backup did not save %s:\n%s", bucket, out)
		}
	}
	if strings.Contains(out, "SOMEONE_ELSES") {
		t.Errorf("backup saved a bucket that is not Tandem's:\n%s", out)
	}

	// The sessions' entries outlive their age limit before the restore.
	time.Sleep(ttl + 500*time.Millisecond)
	fresh := testkit.StartNATS(t)
	out, err = streamsVerb(fresh.URL(), cfg, "restore", dir)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`KV_` + cfg.EditorialStream + `_SESSIONS +[02] messages, last sequence 2`).MatchString(out) {
		t.Errorf("restore of the sessions' bucket printed:\n%s", out)
	}
	fjs, err := jetstream.New(testkit.Connect(t, fresh.URL()))
	if err != nil {
		t.Fatal(err)
	}
	for bucket, entries := range keep {
		kv, err := fjs.KeyValue(ctx, bucket)
		if err != nil {
			t.Errorf("%s after the restore: %v", bucket, err)
			continue
		}
		for k, want := range entries {
			if e, err := kv.Get(ctx, k); err != nil || string(e.Value()) != want {
				t.Errorf("%s %s after the restore: %v; want %q", bucket, k, err, want)
			}
		}
	}
	sessions, err := fjs.KeyValue(ctx, cfg.EditorialStream+"_SESSIONS")
	if err != nil {
		t.Fatalf("the sessions' bucket after the restore: %v", err)
	}
	// The server drops what has outlived the age limit, as it would have.
	stacktest.Eventually(t, "the sessions past the age limit go", func() bool {
		_, err1 := sessions.Get(ctx, "s1")
		_, err2 := sessions.Get(ctx, "s2")
		return errors.Is(err1, jetstream.ErrKeyNotFound) && errors.Is(err2, jetstream.ErrKeyNotFound)
	})
	// The restored bucket goes on where it was.
	if rev, err := sessions.PutString(ctx, "s3", "a new session"); err != nil || rev != 3 {
		t.Errorf("a new session in the restored bucket: revision %d, %v; want 3", rev, err)
	}
	if _, err := fjs.KeyValue(ctx, "SOMEONE_ELSES_KV"); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("the bucket that is not Tandem's on the fresh server: %v; want none", err)
	}
}

// TestVerbBackupWhileTheBucketsAreWrittenRestoresWhatItSaved backs up
// while sessions are being written, as on a desk in use: the manifest
// must count what each snapshot holds, not what the stream held a moment
// before it, or the restore would find more than it expects.
func TestVerbBackupWhileTheBucketsAreWrittenRestoresWhatItSaved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testkit.StartNATS(t)
	nc := testkit.Connect(t, srv.URL())
	bus, err := events.Open(ctx, nc, testkit.StreamConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := bus.Config()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: cfg.EditorialStream + "_SESSIONS", History: 1})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	wrote := make(chan int)
	go func() {
		n := 0
		defer func() { wrote <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := kv.PutString(ctx, fmt.Sprintf("s%d", n), "a session"); err != nil {
				return
			}
			n++
		}
	}()
	// The writer is going before the backup starts.
	stacktest.Eventually(t, "sessions are being written", func() bool {
		st, err := kv.Status(ctx)
		return err == nil && st.Values() >= 10
	})
	dir := filepath.Join(t.TempDir(), "backup")
	out, err := streamsVerb(srv.URL(), cfg, "backup", dir)
	close(stop)
	n := <-wrote
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	fresh := testkit.StartNATS(t)
	if out, err := streamsVerb(fresh.URL(), cfg, "restore", dir); err != nil {
		t.Fatalf("restore of a backup made while %d sessions were written: %v\n%s", n, err, out)
	}
}
