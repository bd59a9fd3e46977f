package main

import (
	"io"
	"os"
	"text/tabwriter"
)

// table lines up the columns of a listing; the caller flushes it.
func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

// writeOut writes data to file, or to stdout when no file is named.
func writeOut(stdout io.Writer, file string, data []byte) error {
	if file == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
