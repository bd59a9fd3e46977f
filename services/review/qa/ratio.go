package qa

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// The length check: how long a translation is against its source,
// learnt from approved pairs.

// Ratio describes how long translations are against their sources: the
// running mean and spread of the natural log of target characters over
// source characters, from N approved segments (Welford's method).
type Ratio struct {
	N    int
	Mean float64
	M2   float64
}

// SD is the standard deviation.
func (r Ratio) SD() float64 {
	if r.N < 2 {
		return 0
	}
	return math.Sqrt(r.M2 / float64(r.N-1))
}

// MinRatioSamples is how many approved segments the ratio check needs
// before it trusts them over the default band.
const MinRatioSamples = 30

// defaultMean and defaultSD are used until enough segments are approved:
// English is usually two to five times as many characters as the Chinese
// it translates.
var defaultMean, defaultSD = math.Log(3.2), 0.4

// minRatioRunes is the shortest source the ratio check judges; headings
// and names vary too much.
const minRatioRunes = 12

// RatioOf is the statistic a ratio is made of, for one segment pair.
func RatioOf(source, target string) (float64, bool) {
	s, t := utf8.RuneCountInString(strings.TrimSpace(source)), utf8.RuneCountInString(strings.TrimSpace(target))
	if s < minRatioRunes || t == 0 {
		return 0, false
	}
	return math.Log(float64(t) / float64(s)), true
}

// Add folds one approved pair's statistic into r.
func (r *Ratio) Add(x float64) {
	r.N++
	d := x - r.Mean
	r.Mean += d / float64(r.N)
	r.M2 += d * (x - r.Mean)
}

func (c *Checker) length(f *findings) {
	x, ok := RatioOf(f.seg.Source, f.seg.Target)
	if !ok {
		return
	}
	mean, sd := c.Ratio.Mean, c.Ratio.SD()
	if c.Ratio.N < MinRatioSamples || sd <= 0 {
		mean, sd = defaultMean, defaultSD
	}
	// Four standard deviations, never narrower than a fixed floor: only
	// what is far outside the usual.
	sd = max(sd, 0.15)
	lo, hi := mean-4*sd, mean+4*sd
	if x < lo || x > hi {
		want := fmt.Sprintf("%.1f to %.1f", math.Exp(lo), math.Exp(hi))
		f.add(CheckLengthRatio, Info, fmt.Sprintf("the target is %.1f times the length of the source; approved translations are %s times", math.Exp(x), want), f.target(0, len(f.seg.Target)))
	}
}
