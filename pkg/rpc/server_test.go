package rpc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/tandemnews/tandem/pkg/auth"
)

// pingDesc is a one-method service for the tests: /test.Echo/Ping, open
// to editors.
var pingDesc = grpc.ServiceDesc{
	ServiceName: "test.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Ping", Handler: func(_ any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
		req := new(emptypb.Empty)
		if err := dec(req); err != nil {
			return nil, err
		}
		h := func(context.Context, any) (any, error) { return &emptypb.Empty{}, nil }
		if in == nil {
			return h(ctx, req)
		}
		return in(ctx, req, &grpc.UnaryServerInfo{FullMethod: "/test.Echo/Ping"}, h)
	}}},
}

// syncBuffer is a log destination the server and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines are the JSON log lines written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(s.b.Bytes()), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// testServer serves pingDesc with o until the test ends, and returns its
// address, the tokens of an editor and of a user without roles, and a
// stop that ends it at once.
type testServer struct {
	addr        string
	editor, nob string
	stop        func()
}

func serve(t *testing.T, o Options) *testServer {
	t.Helper()
	ts := &testServer{editor: auth.NewToken(), nob: auth.NewToken()}
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := auth.Write(path, []auth.Grant{
		{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: ts.editor},
		{User: auth.User{ID: "nobody"}, Token: ts.nob},
	}); err != nil {
		t.Fatal(err)
	}
	store, err := auth.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o.Auth, o.Policy = store, auth.Policy{"/test.Echo/Ping": {auth.Editor}}
	s := New(o)
	s.RegisterService(&pingDesc, nil)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, lis, time.Second) }()
	var once sync.Once
	ts.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(ts.stop)
	ts.addr = lis.Addr().String()
	return ts
}

func connect(t *testing.T, addr string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// signed are the call options that send token; "" sends none.
func signed(token string) []grpc.CallOption {
	if token == "" {
		return nil
	}
	return []grpc.CallOption{grpc.PerRPCCredentials(auth.Credentials(token))}
}

func ping(conn *grpc.ClientConn, token string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return conn.Invoke(ctx, "/test.Echo/Ping", &emptypb.Empty{}, &emptypb.Empty{}, signed(token)...)
}

// listServices asks reflection for the services, as grpcurl list does.
func listServices(conn *grpc.ClientConn, token string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx, signed(token)...)
	if err != nil {
		return err
	}
	// A stream the server refused at once fails Send with io.EOF; its
	// status comes with Recv.
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	_, err = stream.Recv()
	return err
}

func TestReflectionNeedsATokenAndHealthDoesNot(t *testing.T) {
	ts := serve(t, Options{Logger: slog.New(slog.DiscardHandler)})
	conn := connect(t, ts.addr, nil)
	for token, want := range map[string]codes.Code{"": codes.Unauthenticated, "tdm_wrong": codes.Unauthenticated, ts.nob: codes.OK, ts.editor: codes.OK} {
		if got := status.Code(listServices(conn, token)); got != want {
			t.Errorf("reflection with token %q: %v, want %v", token, got, want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health without a token: %v", err)
	}
}

func TestFailedAuthenticationsAreLimitedPerAddress(t *testing.T) {
	ts := serve(t, Options{Logger: slog.New(slog.DiscardHandler), Rate: -1})
	conn := connect(t, ts.addr, nil)
	codesSeen := map[codes.Code]int{}
	start := time.Now()
	for range FailureBurst + 30 {
		err := ping(conn, "tdm_wrong")
		codesSeen[status.Code(err)]++
		if status.Code(err) == codes.ResourceExhausted {
			var retry *errdetails.RetryInfo
			for _, d := range status.Convert(err).Details() {
				if r, ok := d.(*errdetails.RetryInfo); ok {
					retry = r
				}
			}
			if retry == nil || retry.RetryDelay.AsDuration() <= 0 {
				t.Fatalf("ResourceExhausted without a retry delay: %v", err)
			}
		}
	}
	// FailureRate refills the bucket while the calls run.
	refill := int(time.Since(start).Seconds()*FailureRate) + 1
	if u := codesSeen[codes.Unauthenticated]; u < FailureBurst || u > FailureBurst+refill || u+codesSeen[codes.ResourceExhausted] != FailureBurst+30 {
		t.Errorf("wrong tokens answered %v; want %d Unauthenticated, then ResourceExhausted", codesSeen, FailureBurst)
	}
	// A call without a token guesses nothing: it is never refused.
	if err := ping(conn, ""); status.Code(err) != codes.Unauthenticated {
		t.Errorf("no token, past the limit: %v, want Unauthenticated", err)
	}
	// The address is over its limit, but a known token still passes.
	if err := ping(conn, ts.editor); err != nil {
		t.Errorf("the editor from the same address: %v", err)
	}
	// Streams are limited too. The bucket refills at FailureRate while
	// the calls above ran (slowly, on a loaded machine), so drain it
	// again just before.
	var err error
	for range 5 {
		for range FailureBurst {
			if status.Code(ping(conn, "tdm_wrong")) == codes.ResourceExhausted {
				break
			}
		}
		if err = listServices(conn, "tdm_wrong"); status.Code(err) == codes.ResourceExhausted {
			break
		}
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a wrong token on a stream: %v, want ResourceExhausted", err)
	}
}

func TestFailedAuthenticationsAreSummarisedNotLoggedOneByOne(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ts := serve(t, Options{Logger: log, Rate: -1, LogEvery: time.Hour})
	conn := connect(t, ts.addr, nil)
	const calls = 2 * FailureBurst
	start := time.Now()
	for range calls {
		_ = ping(conn, "tdm_wrong")
	}
	for range 5 {
		_ = ping(conn, "") // counted, never refused
	}
	refill := int(time.Since(start).Seconds()*FailureRate) + 1
	if n := len(logs.lines(t)); n != 0 {
		t.Fatalf("%d log lines during the flood; want none until the summary", n)
	}
	ts.stop() // the last summary is written on the way out
	lines := logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want one summary:\n%v", len(lines), lines)
	}
	l := lines[0]
	refused, _ := l["refused"].(float64)
	if l["level"] != "WARN" || l["msg"] != "failed authentications" || l["addr"] != "127.0.0.1" ||
		l["count"] != float64(calls+5) || int(refused) < calls-FailureBurst-refill || int(refused) > calls-FailureBurst || l["last_method"] != "/test.Echo/Ping" {
		t.Errorf("summary %v", l)
	}
}

func TestServerServesTLSWhenGivenACertificate(t *testing.T) {
	cert, pool := selfSigned(t)
	ts := serve(t, Options{Logger: slog.New(slog.DiscardHandler), TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	secure := connect(t, ts.addr, credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "tandem.test"}))
	if err := ping(secure, ts.editor); err != nil {
		t.Errorf("over TLS: %v", err)
	}
	plain := connect(t, ts.addr, nil)
	if err := ping(plain, ts.editor); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext against a TLS server: %v, want Unavailable", err)
	}
	strange := connect(t, ts.addr, credentials.NewTLS(&tls.Config{ServerName: "tandem.test"}))
	if err := ping(strange, ts.editor); status.Code(err) != codes.Unavailable {
		t.Errorf("a client that does not trust the certificate: %v, want Unavailable", err)
	}
}

// selfSigned is a certificate for tandem.test and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{"tandem.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
