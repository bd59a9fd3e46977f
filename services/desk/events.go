package desk

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tandemnews/tandem/internal/client"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// heartbeat keeps an idle event stream open through proxies.
const heartbeat = 25 * time.Second

// events streams the changes of the newsroom list to the page as
// server-sent events: one "change" event with the article id per change,
// fed by drafting's WatchDrafts, called as the signed-in person. When the
// service goes away the stream says "down" and ends; the browser's
// EventSource comes back after the retry delay.
func (d *Desk) events(w http.ResponseWriter, v *visit) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, v.lang.T("error.internal"), http.StatusInternalServerError)
		return
	}
	ctx := v.r.Context()
	stream, err := d.svc.Drafting.WatchDrafts(ctx, &draftingv1.WatchDraftsRequest{}, client.Token(v.token))
	if err != nil {
		http.Error(w, sentence(v.lang, err), httpStatus(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	fmt.Fprintf(w, "retry: 5000\n: watching\n\n")
	fl.Flush()

	changes := make(chan string)
	failed := make(chan error, 1)
	go func() {
		for {
			res, err := stream.Recv()
			if err != nil {
				failed <- err
				return
			}
			select {
			case changes <- res.GetDraft().GetId():
			case <-ctx.Done():
				return
			}
		}
	}()
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.stopping:
			return
		case id := <-changes:
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", id)
		case err := <-failed:
			if ctx.Err() == nil {
				fmt.Fprintf(w, "event: down\ndata: %s\n\n", sentence(v.lang, err))
				fl.Flush()
			}
			return
		case <-t.C:
			fmt.Fprintf(w, ": still here\n\n")
		}
		fl.Flush()
	}
}
