package glossary

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format is a glossary file format.
type Format int

// The file formats Import and Export read and write.
const (
	TSV Format = iota
	CSV
)

// ParseFormat reads "tsv" or "csv".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "tsv", "tab":
		return TSV, nil
	case "csv":
		return CSV, nil
	}
	return 0, fmt.Errorf("format %q: want tsv or csv", s)
}

// ImportError is a problem at one line of an imported file.
type ImportError struct {
	Line    int
	Field   string
	Message string
}

func (e *ImportError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s %s", e.Line, e.Field, e.Message)
}

// column names Import accepts, by role.
var columns = map[string]string{
	"zh": "source", "zh-cn": "source", "source": "source", "term": "source", "chinese": "source",
	"en": "targets", "target": "targets", "targets": "targets", "translation": "targets", "english": "targets",
	"note": "note", "notes": "note", "comment": "note",
	"variants":       "variants",
	"case_sensitive": "case", "case-sensitive": "case", "case": "case",
	"forbidden": "forbidden",
	"name":      "name", "kind": "name",
}

// Import reads a glossary file. The first line names the columns: a source
// column (zh or source), a target column (en or target), and optionally
// note, variants, case_sensitive, forbidden and name (person or
// organisation). Several targets in one
// cell are separated by "|". A note that starts with "variants:" or
// "also:" adds the comma-separated variants it lists, the way glossaries
// kept by hand often record them. Every problem is returned, each with its
// line; no term is returned when there is one.
func Import(r io.Reader, f Format) ([]Term, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, fmt.Errorf("glossary file is larger than %d bytes", MaxImportBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	if f == TSV {
		cr.Comma = '\t'
		cr.LazyQuotes = true
	}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("glossary file is empty: the first line must name the columns (zh, en, note)")
		}
		return nil, fmt.Errorf("line 1: %w", err)
	}
	role := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		role[i] = columns[strings.ToLower(strings.TrimSpace(h))]
		if role[i] != "" {
			seen[role[i]] = true
		}
	}
	if !seen["source"] || !seen["targets"] {
		return nil, fmt.Errorf("line 1: the header %q must name a source column (zh) and a target column (en)", strings.Join(header, ","))
	}
	var terms []Term
	var errs []error
	keys := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				err = pe.Err
			}
			errs = append(errs, &ImportError{Line: line, Message: err.Error()})
			if pe == nil {
				break // not a line problem: the reader failed
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		var t Term
		for i, cell := range rec {
			if i >= len(role) {
				break
			}
			cell = strings.TrimSpace(cell)
			switch role[i] {
			case "source":
				t.Source = cell
			case "targets", "variants":
				t.Targets = append(t.Targets, splitVariants(cell, variantSplitter)...)
			case "note":
				t.Note = cell
				t.Targets = append(t.Targets, noteVariants(cell)...)
			case "name":
				k, err := ParseNameKind(cell)
				if err != nil {
					errs = append(errs, &ImportError{Line: line, Field: header[i], Message: err.Error()})
				}
				t.Name = k
			case "case", "forbidden":
				b, err := parseBool(cell)
				if err != nil {
					errs = append(errs, &ImportError{Line: line, Field: header[i], Message: err.Error()})
				}
				if role[i] == "case" {
					t.CaseSensitive = b
				} else {
					t.Forbidden = b
				}
			}
		}
		t.Targets = dedupe(t.Targets)
		for _, p := range t.Problems() {
			errs = append(errs, &ImportError{Line: line, Field: p[0], Message: p[1]})
		}
		if prev, dup := keys[t.Key()]; dup {
			errs = append(errs, &ImportError{Line: line, Field: "source", Message: fmt.Sprintf("%q is already defined on line %d", t.Source, prev)})
		}
		keys[t.Key()] = line
		terms = append(terms, t)
	}
	if len(terms) > MaxTerms {
		errs = append(errs, fmt.Errorf("the file has %d terms; a glossary holds at most %d", len(terms), MaxTerms))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return terms, nil
}

func splitVariants(s, sep string) []string {
	var out []string
	for _, v := range strings.Split(s, sep) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func noteVariants(note string) []string {
	lower := strings.ToLower(note)
	for _, p := range []string{"variants:", "variant:", "also:"} {
		if strings.HasPrefix(lower, p) {
			return splitVariants(note[len(p):], ",")
		}
	}
	return nil
}

func dedupe(vs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "0", "no", "false", "n":
		return false, nil
	case "1", "yes", "true", "y":
		return true, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

// Export writes terms with the header zh, en, note, case_sensitive,
// forbidden, name; Import reads it back to the same terms.
func Export(w io.Writer, terms []Term, f Format) error {
	cw := csv.NewWriter(w)
	if f == TSV {
		cw.Comma = '\t'
	}
	if err := cw.Write([]string{"zh", "en", "note", "case_sensitive", "forbidden", "name"}); err != nil {
		return err
	}
	for _, t := range terms {
		rec := []string{t.Source, strings.Join(t.Targets, " "+variantSplitter+" "), t.Note, yesNo(t.CaseSensitive), yesNo(t.Forbidden), t.Name.String()}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func yesNo(b bool) string { return strconv.FormatBool(b) }
