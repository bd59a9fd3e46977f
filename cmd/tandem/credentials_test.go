package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// testPKI writes a CA and a certificate for 127.0.0.1 and localhost signed
// by it, and returns the three PEM files.
func testPKI(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Tandem test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", der), write("server-key.pem", "EC PRIVATE KEY", keyDER)
}

// TestNATSTokenAndTLSFromTheConfiguration connects the way `tandem serve`
// does (config.openBus) to a server that wants a token over TLS signed by
// a private CA: with the token and --nats-ca it works; without the CA, or
// with a wrong token, it does not.
func TestNATSTokenAndTLSFromTheConfiguration(t *testing.T) {
	caFile, certFile, keyFile := testPKI(t)
	tlsConf, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true,
		Authorization: "s3cret-token", TLS: true, TLSConfig: tlsConf,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats did not start")
	}
	port := srv.Addr().(*net.TCPAddr).Port
	open := func(c *config, url string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		bus, closeBus, err := c.openBus(ctx, url, "credentials-test", false)
		if err == nil {
			_ = bus.Delete(context.Background())
			closeBus()
		}
		return err
	}
	good := fmt.Sprintf("tls://s3cret-token@127.0.0.1:%d", port)
	if err := open(&config{Streams: testkit.StreamConfig(t), NATSCA: caFile}, good); err != nil {
		t.Fatalf("token over TLS with --nats-ca: %v", err)
	}
	if err := open(&config{Streams: testkit.StreamConfig(t)}, good); err == nil {
		t.Error("connected without trusting the private CA")
	} else {
		t.Logf("without --nats-ca: %v", err)
		if !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error should name the certificate problem and hide the token: %v", err)
		}
	}
	if err := open(&config{Streams: testkit.StreamConfig(t), NATSCA: caFile}, fmt.Sprintf("tls://wrong@127.0.0.1:%d", port)); err == nil {
		t.Error("connected with a wrong token")
	} else {
		t.Logf("wrong token: %v", err)
		if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("the error should name the authorization problem: %v", err)
		}
	}
	for in, want := range map[string]string{
		"nats://user:hunter2@host:4222":               "nats://user:xxxxx@host:4222",
		"tls://s3cret@host:4222,tls://s3cret@h2:4222": "tls://xxxxx@host:4222,tls://xxxxx@h2:4222",
		"rediss://:pw@redis:6379/0":                   "rediss://:xxxxx@redis:6379/0",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRedisPasswordAndTLSFromTheConfiguration connects the way `tandem
// serve` does (config.redisPages) to a redis-server that wants a password,
// over TLS signed by a private CA.
func TestRedisPasswordAndTLSFromTheConfiguration(t *testing.T) {
	caFile, certFile, keyFile := testPKI(t)
	tlsPort := stacktest.FreePort(t)
	rd := stacktest.StartRedis(t, "--requirepass", "pw-redis", "--tls-port", fmt.Sprint(tlsPort),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no")
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx := context.Background()
	pagesFor := func(c *config) *cache.Pages {
		c.RedisPrefix = "credentials-test:"
		p, err := c.redisPages(ctx, log, true)
		if err != nil {
			t.Fatalf("%s: %v", redactURL(c.RedisURL), err)
		}
		return p
	}
	tlsURL := fmt.Sprintf("rediss://:pw-redis@127.0.0.1:%d/0", tlsPort)
	p := pagesFor(&config{RedisURL: tlsURL, RedisCA: caFile})
	if p == nil {
		t.Fatal("no Redis with the password over TLS and --redis-ca")
	}
	page := cache.Page{Key: p.PageKey("en", "A1", "1-abc"), HTML: []byte("<p>hello</p>")}
	if err := p.Store(ctx, "A1", page); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Get(ctx, page.Key); err != nil || string(got) != "<p>hello</p>" {
		t.Fatalf("read back %q, %v", got, err)
	}
	if p := pagesFor(&config{RedisURL: tlsURL}); p != nil {
		t.Error("connected over TLS without trusting the private CA")
	}
	if p := pagesFor(&config{RedisURL: fmt.Sprintf("redis://:wrong@%s/0", rd.Addr())}); p != nil {
		t.Error("connected with a wrong password")
	}
	if _, err := (&config{RedisURL: fmt.Sprintf("redis://:pw-redis@%s/0", rd.Addr()), RedisCA: caFile}).redisClient(); err == nil {
		t.Error("--redis-ca accepted with a plain redis:// URL")
	}
}
