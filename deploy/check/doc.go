// Package check tests the deployment files of deploy/ offline: the
// Prometheus rules and the Grafana dashboard against the metrics the code
// exports, the Kubernetes overlays against the Kubernetes API types, and
// the compose file against the services and settings of the code. It is
// a module of its own so that Prometheus's and Kubernetes's libraries stay
// out of Tandem's.
package check
