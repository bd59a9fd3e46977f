package session

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/rpc"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
)

// errorTable: the session store not created yet is Unavailable, like an
// event store that does not answer.
var errorTable = rpc.Errors{
	{Err: errNotReady, Code: codes.Unavailable},
}

// Limits of a sign-in request: longer input is no username or password
// the store can hold.
const maxUsernameBytes = 128

// SignIn implements SessionService.
func (s *Service) SignIn(ctx context.Context, req *authv1.SignInRequest) (*authv1.SignInResponse, error) {
	var v rpc.Violations
	name := strings.TrimSpace(req.GetUsername())
	switch {
	case name == "":
		v.Add("username", "a username is required")
	case len(name) > maxUsernameBytes:
		v.Add("username", "a username has at most %d bytes", maxUsernameBytes)
	}
	switch {
	case req.GetPassword() == "":
		v.Add("password", "a password is required")
	case len(req.GetPassword()) > auth.MaxPasswordBytes:
		v.Add("password", "a password has at most %d bytes", auth.MaxPasswordBytes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, _, err := s.store.buckets(); err != nil {
		return nil, errorTable.Status(err, "session")
	}
	if s.store.failures(ctx, name) >= s.max {
		s.log.Warn("sign-in refused: account locked", "user", name)
		return nil, status.Errorf(codes.ResourceExhausted, "too many failed sign-ins for %s: wait %s, or ask an administrator to set a new password", name, s.store.lockout)
	}
	u, ok := s.users.CheckPassword(name, req.GetPassword())
	if !ok {
		s.store.failed(ctx, name)
		s.log.Info("sign-in failed", "user", name)
		return nil, status.Error(codes.Unauthenticated, "the username or the password is wrong")
	}
	s.store.succeeded(ctx, name)
	token, _, err := s.store.Open(ctx, u.ID)
	if err != nil {
		return nil, errorTable.Status(err, "session")
	}
	s.log.Info("signed in", "user", u.ID)
	return &authv1.SignInResponse{Token: token, User: toProto(u), IdleTimeoutSeconds: int64(s.store.idle.Seconds())}, nil
}

// SignOut implements SessionService.
func (s *Service) SignOut(ctx context.Context, _ *authv1.SignOutRequest) (*authv1.SignOutResponse, error) {
	if err := s.store.Close(ctx, auth.Bearer(ctx)); err != nil {
		return nil, errorTable.Status(err, "session")
	}
	u, _ := auth.FromContext(ctx)
	s.log.Info("signed out", "user", u.ID)
	return &authv1.SignOutResponse{}, nil
}

// WhoAmI implements SessionService.
func (s *Service) WhoAmI(ctx context.Context, _ *authv1.WhoAmIRequest) (*authv1.WhoAmIResponse, error) {
	u, ok := auth.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "not signed in")
	}
	res := &authv1.WhoAmIResponse{User: toProto(u)}
	r, _, err := s.store.get(ctx, auth.Bearer(ctx))
	switch {
	case err == nil:
		res.SignedInAt = timestamppb.New(r.SignedIn)
	case !errors.Is(err, auth.ErrNoSession):
		return nil, errorTable.Status(err, "session")
	}
	return res, nil
}

func toProto(u auth.User) *authv1.User {
	p := &authv1.User{Id: u.ID, Name: u.Name}
	for _, r := range u.Roles {
		p.Roles = append(p.Roles, string(r))
	}
	return p
}
