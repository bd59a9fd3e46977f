package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"google.golang.org/grpc/credentials"

	"github.com/tandemnews/tandem/internal/stack"
)

// grpcTLS is the TLS of the gRPC services tandem serve runs, and of the
// site's connection to publishing.
type grpcTLS struct {
	// Cert and Key are the certificate and key (PEM) the gRPC server
	// presents; with them it serves TLS only.
	Cert, Key string
	// CA verifies publishing's certificate when the site dials it; On
	// dials with TLS against the system's roots.
	CA string
	On bool
}

func (t *grpcTLS) bind(fs *pflag.FlagSet, bad *[]error) {
	fs.StringVar(&t.Cert, "grpc-tls-cert", env("TANDEM_GRPC_TLS_CERT", ""), "certificate (PEM) of the gRPC server; with --grpc-tls-key it serves TLS only (TANDEM_GRPC_TLS_CERT)")
	fs.StringVar(&t.Key, "grpc-tls-key", env("TANDEM_GRPC_TLS_KEY", ""), "key (PEM) of --grpc-tls-cert (TANDEM_GRPC_TLS_KEY)")
	fs.StringVar(&t.CA, "tls-ca", env("TANDEM_TLS_CA", ""), "PEM file of the CA that signed publishing's gRPC certificate, for the site; turns TLS on (TANDEM_TLS_CA)")
	fs.BoolVar(&t.On, "tls", envBool(bad, "TANDEM_TLS"), "the site dials publishing with TLS, verified against the system's roots or --tls-ca (TANDEM_TLS=true)")
}

// server is the gRPC server's TLS configuration; nil without a
// certificate.
func (t *grpcTLS) server() (*tls.Config, error) {
	if t.Cert == "" && t.Key == "" {
		return nil, nil
	}
	if t.Cert == "" || t.Key == "" {
		return nil, errors.New("--grpc-tls-cert (TANDEM_GRPC_TLS_CERT) and --grpc-tls-key (TANDEM_GRPC_TLS_KEY) go together")
	}
	cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
	if err != nil {
		return nil, fmt.Errorf("--grpc-tls-cert %s: %w", t.Cert, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// publishing are the credentials the site dials publishing with. own is
// this process's server configuration when publishing runs here: the
// site then dials its own listener and trusts exactly its certificate,
// under the certificate's first name. Without either, and without --tls
// or --tls-ca, it is nil: plaintext.
func (t *grpcTLS) publishing(own *tls.Config) (credentials.TransportCredentials, error) {
	if own != nil {
		leaf, err := x509.ParseCertificate(own.Certificates[0].Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("--grpc-tls-cert %s: %w", t.Cert, err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(leaf)
		cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		switch {
		case len(leaf.DNSNames) > 0:
			cfg.ServerName = leaf.DNSNames[0]
		case len(leaf.IPAddresses) > 0:
			cfg.ServerName = leaf.IPAddresses[0].String()
		}
		return credentials.NewTLS(cfg), nil
	}
	if !t.On && t.CA == "" {
		return nil, nil
	}
	return tlsCreds(t.CA)
}

// useGRPCTLS sets the TLS of the gRPC server and of the site's connection
// to publishing; publishingHere says publishing runs in this process.
func (c *config) useGRPCTLS(cfg *stack.Config, publishingHere bool) error {
	own, err := c.GRPCTLS.server()
	if err != nil {
		return err
	}
	cfg.GRPCTLS = own
	if !publishingHere || c.PublishingAddr != "" {
		own = nil // the site dials another server
	}
	cfg.PublishingCreds, err = c.GRPCTLS.publishing(own)
	return err
}
