// Package bench writes Tandem's benchmark report, docs/benchmarks.md:
// `make bench` runs it (go test -tags bench) after the Go
// micro-benchmarks. Every comparison runs side by side in the same run, on
// this machine. Without the bench tag the package has no tests.
package bench
