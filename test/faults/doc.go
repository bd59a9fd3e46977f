// Package faults holds Tandem's fault tests: the whole stack under load
// while NATS restarts, a cluster loses its leader, Redis goes away or a
// publish is cut off half-way, each counting what was attempted,
// acknowledged, found and lost. `make faults` runs them, verbose.
package faults
