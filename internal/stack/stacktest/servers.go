package stacktest

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Redis is a redis-server of the test's own on a free port, so the test
// can stop and start it.
type Redis struct {
	t      *testing.T
	port   int
	args   []string
	cmd    *exec.Cmd
	exited <-chan error
}

// StartRedis runs redis-server on a free port, with extra arguments (a
// password, TLS), and stops it when the test ends. The test is skipped
// where redis-server is not installed.
func StartRedis(t *testing.T, args ...string) *Redis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("skipping: redis-server is not installed (apt-get install redis-server)")
	}
	r := &Redis{t: t, port: FreePort(t), args: args}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start starts the server (again), empty, on the same port. It waits up to
// 15 seconds for the port to answer, and when redis-server exits first the
// test fails with what it printed.
func (r *Redis) Start() {
	r.t.Helper()
	args := append([]string{"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.t.TempDir()}, r.args...)
	var out syncBuffer
	r.cmd = exec.Command("redis-server", args...)
	r.cmd.Stdout, r.cmd.Stderr = &out, &out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	exited := make(chan error, 1)
	cmd := r.cmd
	go func() { exited <- cmd.Wait() }()
	r.exited = exited
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", r.Addr(), time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			r.cmd = nil
			r.t.Fatalf("redis-server %s exited before it answered (%v):\n%s", strings.Join(args, " "), err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.Stop()
	r.t.Fatalf("redis-server did not answer on %s within 15s:\n%s", r.Addr(), out.String())
}

// syncBuffer collects a child process's output while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Stop kills the server.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		<-r.exited
		r.cmd = nil
	}
}

// Pause stops the server's process (SIGSTOP) without closing anything:
// connections stay open and the kernel still accepts new ones, but nothing
// answers, as when Redis hangs. Resume undoes it; so does the end of the
// test.
func (r *Redis) Pause() {
	r.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(r.Resume)
}

// Resume lets a paused server go on (SIGCONT).
func (r *Redis) Resume() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// Addr is the server's host:port.
func (r *Redis) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// FreePort is a loopback TCP port nothing listens on at the moment.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Tandem builds the tandem command into a folder of the test's and
// returns its path, for tests that run it as a user or an operator would.
func Tandem(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/tandemnews/tandem/cmd/tandem").CombinedOutput(); err != nil {
		t.Fatalf("build the tandem command: %v\n%s", err, out)
	}
	return bin
}
