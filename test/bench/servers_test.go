//go:build bench

package bench

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
)

// wrkResult is what wrk reports.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
}

var (
	wrkRPS = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkPct = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)`)
)

// runWrk loads url with keep-alive connections for d.
func runWrk(t *testing.T, url string, gzip bool, d time.Duration) wrkResult {
	t.Helper()
	args := []string{"-t2", "-c32", "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	if gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	var r wrkResult
	if m := wrkRPS.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range wrkPct.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]
		dur := time.Duration(v * float64(unit))
		if string(m[1]) == "50" {
			r.p50 = dur
		} else {
			r.p99 = dur
		}
	}
	if r.rps == 0 {
		t.Fatalf("wrk output not understood:\n%s", out)
	}
	return r
}

// startNginx serves dir on a loopback port with nginx, precompressed
// .gz files included (gzip_static).
func startNginx(t *testing.T, dir string) string {
	t.Helper()
	port := stacktest.FreePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	user := ""
	if os.Getuid() == 0 {
		user = "user root;" // the page lives in the test's private temp dir
	}
	body := user + fmt.Sprintf(`
worker_processes auto;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  types { text/html html; }
  server {
    listen 127.0.0.1:%[2]d;
    root %[1]s;
    gzip_static on;
    etag on;
  }
}
`, dir, port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nginx", "-c", conf, "-p", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM makes the master stop its workers too; SIGKILL would leave
	// them running.
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	if err := waitHTTPErr(fmt.Sprintf("http://127.0.0.1:%d/page.html", port)); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		t.Fatalf("nginx: %v\n%s", err, log)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/page.html", port)
}

// startMinimal serves the same bytes from memory with net/http.
func startMinimal(t *testing.T, page, gz []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz)
			return
		}
		_, _ = w.Write(page)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String() + "/"
}

func waitHTTPErr(url string) error {
	var last error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(url)
		if err != nil {
			last = err
			continue
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("status %d", res.StatusCode)
	}
	return last
}

// latencies times n sequential GETs of url.
func latencies(t *testing.T, url string, n int) (p50, p99 time.Duration) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	ds := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		res, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = bufio.NewReader(res.Body).Discard(1 << 30)
		res.Body.Close()
		ds = append(ds, time.Since(t0))
	}
	return percentiles(ds)
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*99/100]
}
