package stacktest

import "github.com/tandemnews/tandem/internal/client"

// Client is the services' gRPC client (internal/client), as the tests
// use it.
type Client = client.Client

// Dial connects to the gRPC server at addr.
func Dial(addr string) (*Client, error) { return client.Dial(addr) }

// Token is the call option that sends a bearer token.
var Token = client.Token
