//go:build unix

package quality

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used, all threads
// together. Benchmarks report it beside wall time because the machines
// they run on are shared: wall time counts waiting for a core, this does
// not.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
