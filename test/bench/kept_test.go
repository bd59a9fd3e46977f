//go:build bench

package bench

import (
	"os"
	"regexp"
)

// keptSections are the parts of docs/benchmarks.md that other reports
// write (make lighthouse), which the main report carries over as they are.
var keptSections = regexp.MustCompile(`(?s)\n*<!-- lighthouse -->.*?<!-- /lighthouse -->\n?`)

// kept returns the sections of the report at path that another report
// wrote, to append to a new report there.
func kept(path string) string {
	old, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	out := ""
	for _, s := range keptSections.FindAll(old, -1) {
		out += "\n" + regexp.MustCompile(`^\n*`).ReplaceAllString(string(s), "")
	}
	return out
}
