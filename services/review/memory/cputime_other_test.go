//go:build !linux

package memory

import "time"

// threadCPU has no per-thread clock here: CPU time reads as zero.
func threadCPU() (clock func() time.Duration, unlock func()) {
	return func() time.Duration { return 0 }, func() {}
}
