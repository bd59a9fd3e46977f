package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestHelpShowsNoTokenAndTheVerbsStillReadIt(t *testing.T) {
	const secret = "tdm_the-users-own-secret"
	t.Setenv("TANDEM_TOKEN", secret)
	for _, args := range [][]string{{"draft", "--help"}, {"publish", "--help"}, {"review", "show", "--help"}} {
		root := rootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), secret) {
			t.Errorf("tandem %s prints the token:\n%s", strings.Join(args, " "), out.String())
		}
		if !strings.Contains(out.String(), "$TANDEM_TOKEN") {
			t.Errorf("tandem %s does not say where the token comes from:\n%s", strings.Join(args, " "), out.String())
		}
	}

	// Without --token, a verb signs in with TANDEM_TOKEN.
	e := startVerbEnv(t)
	t.Setenv("TANDEM_TOKEN", e.Tokens[auth.Editor])
	zh, _ := e.demoFiles(t, "robotics-gold")
	id, _ := e.create(t, zh)
	if out := e.run(t, "", "draft", "show", id); !strings.HasPrefix(out, "draft "+id) {
		t.Errorf("draft show with TANDEM_TOKEN: %q", out)
	}
}

// certFiles writes a certificate for tandem.test (its own CA) and its key
// to dir, and returns their paths.
func certFiles(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), DNSNames: []string{"tandem.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "grpc.crt"), filepath.Join(dir, "grpc.key")
	for path, block := range map[string]*pem.Block{cert: {Type: "CERTIFICATE", Bytes: der}, key: {Type: "PRIVATE KEY", Bytes: kb}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key
}

func TestServeWithACertificateServesTLSAndTheVerbsDialIt(t *testing.T) {
	dir := t.TempDir()
	cert, key := certFiles(t, dir)
	c := &config{GRPCTLS: grpcTLS{Cert: cert, Key: key}}
	var sc stack.Config
	if err := c.useGRPCTLS(&sc, true); err != nil {
		t.Fatal(err)
	}
	if sc.GRPCTLS == nil || sc.PublishingCreds == nil {
		t.Fatal("a certificate given, and no TLS")
	}
	url := testkit.StartNATS(t).URL()
	env := stacktest.StartWith(t, url, nil, func(s *stack.Config) { s.GRPCTLS, s.PublishingCreds = sc.GRPCTLS, sc.PublishingCreds })
	e := &verbEnv{Env: env, natsURL: url, dir: dir}

	// The site's own connection to publishing trusts the certificate.
	conn, err := grpc.NewClient(e.GRPCAddr, grpc.WithTransportCredentials(sc.PublishingCreds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("the site's connection to publishing: %v", err)
	}

	// A verb given the CA works; one that dials in plaintext does not.
	e.run(t, auth.Editor, "draft", "list", "--tls-ca", cert)
	if _, err := e.tandem(t, auth.Editor, "", "draft", "list"); err == nil {
		t.Error("draft list in plaintext against TLS succeeded")
	}
	if _, err := e.tandem(t, auth.Editor, "", "draft", "list", "--tls"); err == nil {
		t.Error("draft list trusting only the system's roots accepted a private certificate")
	}

	bad := &config{GRPCTLS: grpcTLS{Cert: cert}}
	if err := bad.useGRPCTLS(&stack.Config{}, true); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("a certificate without its key: %v", err)
	}
}
