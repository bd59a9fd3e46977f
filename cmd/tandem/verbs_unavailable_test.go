package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestVerbsSayQuicklyThatTandemsEventStoreDoesNotAnswer(t *testing.T) {
	u, err := url.Parse(testkit.StartNATS(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	p := testkit.StartProxy(t, u.Host)
	e := &verbEnv{Env: stacktest.Start(t, "nats://"+p.Addr()), natsURL: "nats://" + p.Addr(), dir: t.TempDir()}
	zh, en := e.demoFiles(t, "robotics-gold")
	id, _ := e.create(t, zh, en)

	p.Freeze() // NATS's connections stay open; nothing answers on them
	start := time.Now()
	out, err := e.tandem(t, auth.Editor, "", "draft", "show", id)
	took := time.Since(start)
	want := "Tandem at " + e.GRPCAddr + " is not available (event store unavailable, retry: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || out != "" {
		t.Fatalf("tandem draft show while NATS is frozen:\nprinted %q\nerror   %v\nwant an error starting %q", out, err, want)
	}
	if !strings.HasSuffix(err.Error(), "); is `tandem dev` (or `tandem serve`) running, and its NATS server? Try again when it is"+setAddr) {
		t.Errorf("tandem draft show while NATS is frozen said %q", err)
	}
	if bound := events.RequestTimeout + 3*time.Second; took > bound {
		t.Errorf("tandem draft show took %v while NATS was frozen, want under %v", took, bound)
	}
	t.Logf("tandem draft show while NATS is frozen, after %v: %v", took.Round(time.Millisecond), err)
}

func TestVerbsNameTheAddressNobodyAnswersOn(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", stacktest.FreePort(t))
	root := rootCmd()
	root.SetArgs([]string{"draft", "show", "01M8PB970H4VG5W93RFPTXSKDA", "--addr", addr, "--token", "tdm_any"})
	err := root.Execute()
	want := "Tandem at " + addr + " is not available ("
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), setAddr) {
		t.Errorf("tandem draft show with nobody at %s said %v; want it to start %q and end %q", addr, err, want, setAddr)
	}
}

// setAddr ends the error of a call that found nobody: where Tandem is
// looked for is a setting of the caller's.
const setAddr = ". If it runs elsewhere, set TANDEM_ADDR or --addr to its gRPC address (`tandem dev` prints it)"

func TestACallThatTimesOutNamesTheAddressAndTheLimit(t *testing.T) {
	err := describeCall("127.0.0.1:7070", status.Error(codes.DeadlineExceeded, "context deadline exceeded"))
	want := "Tandem at 127.0.0.1:7070 did not answer within 30s: it, or the NATS server it stores events in, may be stalled; check that `tandem dev` (or `tandem serve`) and NATS are running, then try again"
	if err == nil || err.Error() != want {
		t.Errorf("a call that timed out is described as\n%v\nwant\n%s", err, want)
	}
}
