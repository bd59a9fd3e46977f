// Command tandem runs Tandem's services and is the command line of its
// editors, translators and publishers.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/tandemnews/tandem/pkg/telemetry"
)

func main() {
	err := rootCmd().Execute()
	flushTracing()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tandem:", err)
		os.Exit(1)
	}
}

// flushTracing exports what a command-line verb traced (see traceVerb);
// dev and serve flush their own.
var flushTracing = func() {}

// traceVerb starts tracing for a command-line verb, when the OTEL_*
// variables name an exporter, so that its gRPC calls begin the traces
// the services continue. A tracing setup that fails only loses the trace.
func traceVerb(ctx context.Context) {
	if !telemetry.Enabled() {
		return
	}
	shutdown, err := telemetry.Start(ctx, "tandem-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tandem: tracing off:", err)
		return
	}
	flushTracing = func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(fctx); err != nil {
			fmt.Fprintln(os.Stderr, "tandem: traces not exported:", err)
		}
	}
}
