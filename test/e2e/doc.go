// Package e2e holds Tandem's end-to-end tests: the whole stack on real
// NATS and Redis, driven through its gRPC API and read through its public
// site, from the first draft to the page, its replicas, its schedules and
// its replay.
package e2e
