//go:build bench

package bench

// memorySection gives the translation memory's lookup times at 100,000
// and 1,000,000 entries, as measured by BenchmarkFuzzyP99 when they were
// last taken: a memory of 1,000,000 entries takes minutes to build, more
// than this report should wait for.
const memorySection = `## Translation memory

` + "`BenchmarkFuzzyP99`" + ` in services/review/memory, on 2026-11-30, on this shared 2-core machine under a
load average of 11 to 15 from other work: fuzzy lookups at the default score of 75 (limit 5) in a memory
of synthetic sentences drawn from 40 news phrases, one by one; the CPU time is the lookup thread's own,
without the time it waited for a core. Measured with
` + "`go test -run '^$' -bench FuzzyP99 -benchtime 1000x ./services/review/memory`" + ` (5 runs) and, with
` + "`TANDEM_BENCH_MEMORY_1M=1`" + `, 500 lookups at 1,000,000 (3 runs).

| entries | p50 | p99 | p99 of CPU time | goal p99 |
|---|---|---|---|---|
| 100,000 | 0.19 to 0.20 ms | 3.9 to 14.0 ms | 0.44 to 0.52 ms | ≤ 20 ms: met |
| 1,000,000 | 4.7 to 11.3 ms | 43 to 76 ms | 5.8 to 6.8 ms | ≤ 150 ms: met |

The code before the bigram count counted occurrences and common bigrams were summed as bitmaps,
measured the same day: p99 17 to 45 ms at 100,000 (5 runs) and 76 ms at 1,000,000 (1 run; mean 26 ms,
against 8 to 14 ms now). At the lowest score a search
takes (50) the count excludes nothing and every entry of a fitting length is scored: p99 95 to 223 ms
at 100,000 and 1.34 to 1.36 s at 1,000,000 (CPU 21 to 25 ms and 229 to 255 ms); docs/review.md has the
table.
`
