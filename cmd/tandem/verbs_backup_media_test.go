package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestVerbBackupAndRestoreCoverTheObjectStoreBuckets(t *testing.T) {
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
	// A bucket named after the editorial stream, as the media library's
	// is, with one object of several chunks; and a bucket of someone else.
	media, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: cfg.EditorialStream + "_MEDIA"})
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	objects := map[string][]byte{"photo.jpg": big, "note.txt": []byte("校园开放日")}
	for name, data := range objects {
		if _, err := media.PutBytes(ctx, name, data); err != nil {
			t.Fatal(err)
		}
	}
	other, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: "SOMEONE_ELSES"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.PutBytes(ctx, "x", []byte("not Tandem's")); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "backup")
	out, err := streamsVerb(srv.URL(), cfg, "backup", dir)
	if err != nil || !strings.Contains(out, "OBJ_"+cfg.EditorialStream+"_MEDIA") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if strings.Contains(out, "SOMEONE_ELSES") {
		t.Errorf("backup saved a bucket that is not Tandem's:\n%s", out)
	}

	fresh := testkit.StartNATS(t)
	out, err = streamsVerb(fresh.URL(), cfg, "restore", dir)
	if err != nil || !strings.Contains(out, "OBJ_"+cfg.EditorialStream+"_MEDIA") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	fjs, err := jetstream.New(testkit.Connect(t, fresh.URL()))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := fjs.ObjectStore(ctx, cfg.EditorialStream+"_MEDIA")
	if err != nil {
		t.Fatalf("the media bucket after the restore: %v", err)
	}
	for name, want := range objects {
		got, err := restored.GetBytes(ctx, name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s after the restore: %d bytes, %v; want the %d bytes put", name, len(got), err, len(want))
		}
	}
	if _, err := fjs.ObjectStore(ctx, "SOMEONE_ELSES"); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("the bucket that is not Tandem's on the fresh server: %v; want none", err)
	}
	// A second restore finds the bucket there and writes nothing.
	if _, err := streamsVerb(fresh.URL(), cfg, "restore", dir); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("restoring over a restored server: %v", err)
	}
}
