package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// offline runs a verb that calls no server with args, and returns what
// it printed.
func offline(args ...string) (string, error) {
	var out bytes.Buffer
	root := rootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(io.Discard)
	err := root.Execute()
	return out.String(), err
}

// banner is what tandem dev prints once it runs, on the gRPC address
// addr with its data in dir.
func banner(addr, dir string) string {
	var b strings.Builder
	printDev(&b, devBanner{NATSURL: "nats://127.0.0.1:14223", GRPCAddr: addr, DataDir: dir, Site: siteconfig.Default(),
		Tokens: map[auth.Role]string{auth.Editor: "tdm_e", auth.Translator: "tdm_t", auth.Publisher: "tdm_p", auth.Admin: "tdm_a"}})
	return b.String()
}

func TestDevBannerPointsTheCommandAtItsGRPCAddress(t *testing.T) {
	out := banner("127.0.0.1:17070", defaultDataDir)
	wantLines(t, "dev", out,
		"  gRPC      127.0.0.1:17070   (reflection, for a signed-in caller: grpcurl -plaintext -H \"authorization: Bearer $TANDEM_TOKEN\" 127.0.0.1:17070 list)",
		"The tandem command calls TANDEM_ADDR (or --addr), default 127.0.0.1:7070; TANDEM_GRPC_ADDR",
		"(--grpc-addr) is where this server listens. In another terminal:",
		"  export TANDEM_ADDR=127.0.0.1:17070",
		"  export TANDEM_TOKEN=$(tandem dev token editor)",
		"Development tokens (tandem dev token ROLE prints one):",
		"  editor     tdm_e",
		"  admin      tdm_a",
	)

	// A server listening on every interface is called on the loopback
	// one; data elsewhere than the default is named in full.
	dir := t.TempDir()
	wantLines(t, "dev", banner("0.0.0.0:7071", dir),
		"  export TANDEM_ADDR=127.0.0.1:7071",
		"  export TANDEM_TOKEN=$(tandem dev token editor --data "+dir+")",
	)
	wantLines(t, "dev", banner("[::]:7072", defaultDataDir), "  export TANDEM_ADDR=[::1]:7072")
}

func TestVerbDevTokenPrintsTheTokenTandemDevCreated(t *testing.T) {
	dir := t.TempDir()
	c := &config{DataDir: dir}
	tokens, err := devTokens(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.Roles {
		out, err := offline("dev", "token", string(r), "--data", dir)
		if err != nil || out != tokens[r]+"\n" {
			t.Errorf("tandem dev token %s printed %q, %v; want %q", r, out, err, tokens[r]+"\n")
		}
	}
	t.Setenv("TANDEM_DATA", dir)
	if out, err := offline("dev", "token", "publisher"); err != nil || out != tokens[auth.Publisher]+"\n" {
		t.Errorf("tandem dev token publisher with TANDEM_DATA printed %q, %v", out, err)
	}
}

func TestVerbDevTokenRefusesWhatItCannotAnswer(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"chief", "--data", dir}, `no role "chief": editor, translator, publisher or admin`},
		{[]string{"editor", "--data", filepath.Join(dir, "none")}, "no development tokens in " + filepath.Join(dir, "none") + ": tandem dev creates them on its first start (give --data as given to it)"},
	} {
		out, err := offline(append([]string{"dev", "token"}, tc.args...)...)
		if err == nil || err.Error() != tc.want || out != "" {
			t.Errorf("tandem dev token %s:\nprinted %q\nerror   %v\nwant error %q", strings.Join(tc.args, " "), out, err, tc.want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, devTokensFile), []byte(`{"editor": "tdm_e"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, devTokensFile) + " holds no token for admin: start tandem dev once to create it"
	if _, err := offline("dev", "token", "admin", "--data", dir); err == nil || err.Error() != want {
		t.Errorf("tandem dev token admin said %v, want %q", err, want)
	}
}
