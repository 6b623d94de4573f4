// Package runtest breaks a run's disk on purpose, for tests: it locks a
// directory so that even root cannot add to it, mounts a small file system
// and fills it to the last byte. Its helpers fail the test, rather than skip
// it, when the system does not let them work, so a fault test never passes
// without having faced its fault.
package runtest
