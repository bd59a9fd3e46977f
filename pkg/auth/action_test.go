package auth_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
)

func TestActionNamesWhatAMethodDoes(t *testing.T) {
	for method, want := range map[string]string{
		"/tandem.publishing.v1.PublishingService/PublishArticle":  "publishing an article",
		"/tandem.drafting.v1.DraftingService/CreateDraft":         "creating a draft",
		"/tandem.drafting.v1.DraftingService/PurgeArticle":        "purging an article",
		"/tandem.drafting.v1.DraftingService/GetDraftHistory":     "reading a draft's history",
		"/tandem.drafting.v1.DraftingService/ListDrafts":          "listing drafts",
		"/tandem.drafting.v1.DraftingService/SubmitDraft":         "submitting a draft",
		"/tandem.review.v1.ReviewService/ImportGlossary":          "importing the glossary",
		"/tandem.review.v1.ReviewService/ExportXliff":             "exporting XLIFF",
		"/tandem.review.v1.ReviewService/RequestChanges":          "requesting changes",
		"/tandem.review.v1.ReviewService/UpdateSegment":           "updating a segment",
		"/tandem.publishing.v1.PublishingService/SchedulePublish": "scheduling a publication",
		"/tandem.publishing.v1.PublishingService/CancelSchedule":  "cancelling a schedule",
		"/x/Publish": "publishing",
	} {
		if got := auth.Action(method); got != want {
			t.Errorf("Action(%s) = %q, want %q", method, got, want)
		}
	}
}

func TestPermissionDeniedNamesTheActionNotTheMethod(t *testing.T) {
	ed, both := auth.NewToken(), auth.NewToken()
	s, err := auth.Load(write(t,
		auth.Grant{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: ed},
		auth.Grant{User: auth.User{ID: "tr", Roles: []auth.Role{auth.Editor, auth.Translator}}, Token: both},
	))
	if err != nil {
		t.Fatal(err)
	}
	p := auth.Policy{"/tandem.publishing.v1.PublishingService/PublishArticle": {auth.Publisher}, "/tandem.review.v1.ReviewService/GetJob": {auth.Translator, auth.Publisher}}
	for _, c := range []struct{ token, method, want string }{
		{ed, "/tandem.publishing.v1.PublishingService/PublishArticle", "publishing an article requires the publisher role; ed has the editor role"},
		{both, "/tandem.publishing.v1.PublishingService/PublishArticle", "publishing an article requires the publisher role; tr has the editor and translator roles"},
		{ed, "/tandem.review.v1.ReviewService/GetJob", "reading a job requires the translator or publisher role; ed has the editor role"},
		{ed, "/tandem.drafting.v1.DraftingService/PurgeArticle", "purging an article requires the admin role; ed has the editor role"},
	} {
		_, err := s.Authorize(call(c.token), c.method, p)
		st := status.Convert(err)
		if st.Code() != codes.PermissionDenied || st.Message() != c.want {
			t.Errorf("%s: %v %q\nwant PermissionDenied %q", c.method, st.Code(), st.Message(), c.want)
		}
		if strings.Contains(st.Message(), "/") {
			t.Errorf("the message names the raw method: %q", st.Message())
		}
	}
}

func TestAnyoneLetsEveryAuthenticatedCallerIn(t *testing.T) {
	none := auth.NewToken()
	s, err := auth.Load(write(t, auth.Grant{User: auth.User{ID: "guest"}, Token: none}))
	if err != nil {
		t.Fatal(err)
	}
	p := auth.Policy{"/x/Describe": auth.Anyone}
	if _, err := s.Authorize(call(none), "/x/Describe", p); err != nil {
		t.Errorf("a user without roles: %v", err)
	}
	for _, tok := range []string{"", "tdm_nope"} {
		if _, err := s.Authorize(call(tok), "/x/Describe", p); status.Code(err) != codes.Unauthenticated {
			t.Errorf("token %q: %v, want Unauthenticated", tok, err)
		}
	}
}
