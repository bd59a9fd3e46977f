package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/review"
)

func TestAccessMatrixEveryRPCEveryRole(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	policy := auth.Policy{}
	for _, s := range []stack.GRPCService{drafting.New(e.Bus, drafting.Options{}), review.New(e.Bus, nil), publishing.New(e.Bus, publishing.Options{})} {
		for m, r := range s.Policy() {
			policy[m] = r
		}
	}
	var methods []string
	for _, d := range []grpc.ServiceDesc{draftingv1.DraftingService_ServiceDesc, reviewv1.ReviewService_ServiceDesc, publishingv1.PublishingService_ServiceDesc} {
		for _, m := range d.Methods {
			full := "/" + d.ServiceName + "/" + m.MethodName
			if _, ok := policy[full]; !ok {
				t.Errorf("%s has no entry in its service's policy", full)
			}
			methods = append(methods, full)
		}
	}
	callers := map[string]grpc.CallOption{"no token": grpc.EmptyCallOption{}, "unknown token": stacktest.BadToken()}
	for _, r := range auth.Roles {
		callers[string(r)] = e.As(r)
	}
	checked := 0
	for _, m := range methods {
		allowed := policy[m]
		for who, opt := range callers {
			// An empty request: an allowed caller gets past auth and is told
			// what is missing; nobody else gets that far.
			err := e.Conn.Invoke(ctx, m, &emptypb.Empty{}, &emptypb.Empty{}, opt)
			code := status.Code(err)
			var want []codes.Code
			switch {
			case len(allowed) == 0: // public
				want = nil
			case who == "no token" || who == "unknown token":
				want = []codes.Code{codes.Unauthenticated}
			case who == string(auth.Admin) || slices.Contains(allowed, auth.Role(who)):
				want = nil
			default:
				want = []codes.Code{codes.PermissionDenied}
			}
			if want == nil {
				if code == codes.Unauthenticated || code == codes.PermissionDenied {
					t.Errorf("%s as %s: %v, want to pass", m, who, err)
				}
			} else if code != want[0] {
				t.Errorf("%s as %s: %v, want %v", m, who, code, want[0])
			}
			checked++
		}
	}
	t.Logf("verified: %d methods × %d callers = %d calls, each allowed or refused as its policy says", len(methods), len(callers), checked)
}
