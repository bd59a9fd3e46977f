package memory

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU returns a clock of the CPU time the calling thread has used
// (CLOCK_THREAD_CPUTIME_ID, to the nanosecond; getrusage counts in
// scheduler ticks), and locks the goroutine to its thread until the
// returned unlock is called: on a machine whose cores are shared, a
// lookup's CPU time does not count the time others held the core.
func threadCPU() (clock func() time.Duration, unlock func()) {
	runtime.LockOSThread()
	const clockThreadCPUTime = 3
	return func() time.Duration {
		var ts syscall.Timespec
		if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
			return 0
		}
		return time.Duration(ts.Nano())
	}, runtime.UnlockOSThread
}
