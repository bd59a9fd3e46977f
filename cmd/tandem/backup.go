package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/jsm.go"
	"github.com/nats-io/jsm.go/api"
	"github.com/spf13/cobra"
)

// manifestFile describes a backup folder: when it was made and what each
// stream held, so restore can check it put everything back.
const manifestFile = "tandem-backup.json"

// manifest is the content of manifestFile.
type manifest struct {
	Made    time.Time        `json:"made"`
	Streams []streamManifest `json:"streams"`
}

type streamManifest struct {
	Name     string `json:"name"`
	Messages uint64 `json:"messages"`
	LastSeq  uint64 `json:"last_seq"`
}

// backupOptions are the inputs of tandem backup and tandem restore: where
// NATS is, and the folder.
type backupOptions struct {
	settings
	Dir string
}

func backupCmd() *cobra.Command {
	opts := &backupOptions{}
	return settingsCmd(&cobra.Command{
		Use:   "backup DIR",
		Short: "Save both streams, with their consumers, the media and the key-value buckets into a new folder",
		Long: `backup saves the EDITORIAL and PUBLIC streams (every draft, translation,
glossary term, memory unit, address and publication: Tandem's whole
record) with their durable consumers, every Object Store bucket named
after either stream (the media library: EDITORIAL_MEDIA, stream
OBJ_EDITORIAL_MEDIA) and every key-value bucket named after either stream
(the webhook endpoints and their signing secrets, PUBLIC_WEBHOOKS; the key
of preview links, EDITORIAL_PREVIEW_KEY; the desk's sessions and failed
sign-ins, EDITORIAL_SESSIONS and EDITORIAL_SIGNIN_FAILURES) into DIR,
through JetStream's snapshot API, while Tandem runs. DIR must be empty or
not exist. It holds secrets: keep it as you keep the NATS credentials.
tandem restore DIR puts them back on a server that does not have them.
It connects to NATS (NATS_URL; by default the in-process server of
tandem dev).`,
		Args: cobra.ExactArgs(1),
	}, &opts.settings, func(ctx context.Context, args []string) error {
		opts.Dir = args[0]
		return runBackup(ctx, opts)
	})
}

func restoreCmd() *cobra.Command {
	opts := &backupOptions{}
	return settingsCmd(&cobra.Command{
		Use:   "restore DIR",
		Short: "Put the streams of a backup back on a NATS server that does not have them",
		Long: `restore reads a folder made by tandem backup and recreates the EDITORIAL
and PUBLIC streams, with their consumers, and the Object Store and
key-value buckets it holds, on the NATS server (NATS_URL). Entries of a
bucket with an age limit (sessions, failed sign-ins) that have outlived
it since the backup are dropped, as they would have been.
Run it before starting Tandem on that server: a stream that exists
already is never overwritten. Then start the services; the site rebuilds
its index from PUBLIC and Redis refills itself.`,
		Args: cobra.ExactArgs(1),
	}, &opts.settings, func(ctx context.Context, args []string) error {
		opts.Dir = args[0]
		return runRestore(ctx, opts)
	})
}

// natsURL is the server the verb talks to.
func (o *backupOptions) natsURL() string {
	if o.NATSURL != "" {
		return o.NATSURL
	}
	return fmt.Sprintf("nats://127.0.0.1:%d", o.NATSPort)
}

// manager connects to NATS as name and returns the JetStream manager of
// the snapshot API, and what closes the connection.
func (o *backupOptions) manager(ctx context.Context, name string) (*jsm.Manager, func(), error) {
	nc, err := o.connectNATS(ctx, o.natsURL(), name)
	if err != nil {
		return nil, nil, err
	}
	mgr, err := jsm.New(nc, jsm.WithTimeout(10*time.Second))
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return mgr, nc.Close, nil
}

// streams are the names of Tandem's streams under the settings, followed
// by those of the buckets named after either stream, in name order: the
// Object Store buckets (the media libraries, EDITORIAL_MEDIA and
// PUBLIC_MEDIA; a bucket B is the stream OBJ_B) and the key-value buckets
// (the webhook endpoints, the preview link key, the sessions and the
// failed sign-ins; a bucket B is the stream KV_B).
func (o *backupOptions) streams(mgr *jsm.Manager) ([]string, error) {
	names := []string{o.Streams.EditorialStream, o.Streams.PublicStream}
	all, err := mgr.StreamNames(nil)
	if err != nil {
		return nil, fmt.Errorf("list the streams on %s: %w", redactURL(o.natsURL()), err)
	}
	sort.Strings(all)
	for _, n := range all {
		for _, kind := range []string{"OBJ_", "KV_"} {
			if strings.HasPrefix(n, kind+o.Streams.EditorialStream+"_") || strings.HasPrefix(n, kind+o.Streams.PublicStream+"_") {
				names = append(names, n)
			}
		}
	}
	return names, nil
}

func runBackup(ctx context.Context, opts *backupOptions) error {
	if entries, err := os.ReadDir(opts.Dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: back up into a new folder", opts.Dir)
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return err
	}
	mgr, done, err := opts.manager(ctx, "tandem-backup")
	if err != nil {
		return err
	}
	defer done()
	m := manifest{Made: time.Now().UTC()}
	names, err := opts.streams(mgr)
	if err != nil {
		return err
	}
	for _, name := range names {
		str, err := mgr.LoadStream(name)
		if err != nil {
			return fmt.Errorf("stream %s on %s: %w", name, redactURL(opts.natsURL()), err)
		}
		sdir := filepath.Join(opts.Dir, name)
		if _, err := str.SnapshotToDirectory(ctx, sdir, jsm.SnapshotConsumers(), jsm.SnapshotHealthCheck()); err != nil {
			return fmt.Errorf("back up %s: %w", name, err)
		}
		state, err := snapshotState(sdir)
		if err != nil {
			return fmt.Errorf("back up %s: %w", name, err)
		}
		m.Streams = append(m.Streams, streamManifest{Name: name, Messages: state.Msgs, LastSeq: state.LastSeq})
		fmt.Fprintf(opts.out, "%-20s %d messages, last sequence %d\n", name, state.Msgs, state.LastSeq)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(opts.Dir, manifestFile), b, 0o640); err != nil {
		return err
	}
	fmt.Fprintf(opts.out, "backed up into %s\n", opts.Dir)
	return nil
}

// snapshotState is the state of the stream as its snapshot in dir holds
// it, which the server wrote beside the data. A stream written to during
// the backup (the sessions of a desk in use) holds more by the end of it
// than it held when the backup began.
func snapshotState(dir string) (api.StreamState, error) {
	var meta struct {
		State api.StreamState `json:"state"`
	}
	b, err := os.ReadFile(filepath.Join(dir, jsm.SnapshotMetaFile))
	if err == nil {
		err = json.Unmarshal(b, &meta)
	}
	return meta.State, err
}

func runRestore(ctx context.Context, opts *backupOptions) error {
	b, err := os.ReadFile(filepath.Join(opts.Dir, manifestFile))
	if err != nil {
		return fmt.Errorf("%s is not a backup made by tandem backup: %w", opts.Dir, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s: %w", manifestFile, err)
	}
	mgr, done, err := opts.manager(ctx, "tandem-restore")
	if err != nil {
		return err
	}
	defer done()
	// Nothing is written unless every stream can be.
	for _, s := range m.Streams {
		known, err := mgr.IsKnownStream(s.Name)
		if err != nil {
			return err
		}
		if known {
			return fmt.Errorf("stream %s exists on %s already: restore into a server without Tandem's streams (or delete them first)", s.Name, redactURL(opts.natsURL()))
		}
	}
	var errs []error
	for _, s := range m.Streams {
		var str *jsm.Stream
		_, state, err := mgr.RestoreSnapshotFromDirectory(ctx, s.Name, filepath.Join(opts.Dir, s.Name))
		if err == nil {
			str, err = mgr.LoadStream(s.Name)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", s.Name, err))
			continue
		}
		// A stream with an age limit (the sessions' bucket: the idle
		// timeout) drops, as it is restored, what has outlived the limit
		// since the backup; the sequence goes on from where it was.
		aged := str.MaxAge() > 0 && state.Msgs < s.Messages && (state.LastSeq == s.LastSeq || state.Msgs == 0)
		if !aged && (state.Msgs != s.Messages || state.LastSeq != s.LastSeq) {
			errs = append(errs, fmt.Errorf("restore %s: %d messages up to %d, the backup had %d up to %d", s.Name, state.Msgs, state.LastSeq, s.Messages, s.LastSeq))
			continue
		}
		fmt.Fprintf(opts.out, "%-20s %d messages, last sequence %d", s.Name, state.Msgs, state.LastSeq)
		if aged {
			fmt.Fprintf(opts.out, " (%d past the age limit of %s dropped)", s.Messages-state.Msgs, str.MaxAge())
		}
		fmt.Fprintln(opts.out)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(opts.out, "restored the backup of %s\n", m.Made.Format(time.RFC3339))
	return nil
}
