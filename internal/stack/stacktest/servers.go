package stacktest

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Redis is a redis-server of the test's own on a free port, so the test
// can stop and start it.
type Redis struct {
	t    *testing.T
	port int
	args []string
	cmd  *exec.Cmd
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

// Start starts the server (again), empty, on the same port.
func (r *Redis) Start() {
	r.t.Helper()
	args := append([]string{"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.t.TempDir()}, r.args...)
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", r.Addr()); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatal("redis-server did not start")
}

// Stop kills the server.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
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
