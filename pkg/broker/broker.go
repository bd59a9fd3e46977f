// Package broker runs a NATS server with JetStream inside the process, for
// `tandem dev` and for tests.
package broker

import (
	"fmt"
	"net/url"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options configures an embedded server.
type Options struct {
	// Host to listen on. Default 127.0.0.1.
	Host string
	// Port to listen on; -1 picks a free one. Default -1.
	Port int
	// StoreDir holds JetStream's files. Required.
	StoreDir string
	// Name of the server, shown in logs and cluster views.
	Name string
	// Cluster, when set, joins the server to a JetStream cluster.
	Cluster *Cluster
	// Log, when true, sends the server's log to stderr.
	Log bool
}

// Cluster describes a server's place in a cluster.
type Cluster struct {
	// Name of the cluster, the same on every member.
	Name string
	// Port for cluster traffic; -1 picks a free one.
	Port int
	// Routes to the other members, as nats-route://host:port URLs.
	Routes []string
}

// Start runs a server and waits until it accepts connections.
func Start(o Options) (*server.Server, error) {
	if o.StoreDir == "" {
		return nil, fmt.Errorf("broker: StoreDir is required")
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = -1
	}
	opts := &server.Options{
		ServerName: o.Name,
		Host:       o.Host,
		Port:       o.Port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
	}
	if c := o.Cluster; c != nil {
		opts.Cluster = server.ClusterOpts{Name: c.Name, Host: o.Host, Port: c.Port}
		for _, r := range c.Routes {
			u, err := parseRoute(r)
			if err != nil {
				return nil, err
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	if o.Log {
		s.ConfigureLogger()
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("broker: server on %s:%d did not start within 10s", o.Host, o.Port)
	}
	return s, nil
}
func parseRoute(r string) (*url.URL, error) {
	u, err := url.Parse(r)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("broker: route %q is not a nats-route://host:port URL", r)
	}
	return u, nil
}
