package e2e

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// rawCodec sends a request's bytes as they are, as a client that does not
// check its strings would, and reads answers as protobuf.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return encoding.GetCodecV2("proto").Unmarshal(data, v)
}

// notUTF8 encodes m with every "~BAD~" in its strings turned into bytes
// that are not UTF-8, of the same length so the encoding stays sound.
func notUTF8(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("~BAD~"), []byte("\xffBAD\xfe"))
}

// violated lists the fields st's BadRequest names, each once.
func violated(st *status.Status) []string {
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				if !slices.Contains(out, v.Field) {
					out = append(out, v.Field)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestInvalidUTF8IsInvalidArgumentNamingTheField(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a := stacktest.SampleArticle()
	a.Locales["zh-CN"].Title = "图书馆~BAD~"
	a.Locales["en"].Blocks[0].GetParagraph().Text = "From ~BAD~"
	err := e.Conn.Invoke(ctx, "/tandem.drafting.v1.DraftingService/CreateDraft",
		notUTF8(t, &draftingv1.CreateDraftRequest{Article: a}), &draftingv1.CreateDraftResponse{},
		e.As(auth.Editor), grpc.ForceCodecV2(rawCodec{}))
	st := stacktest.WantCode(t, "a draft whose strings are not UTF-8", err, codes.InvalidArgument)
	want := []string{`article.locales["en"].blocks[0].paragraph.text`, `article.locales["zh-CN"].title`}
	if got := violated(st); !slices.Equal(got, want) {
		t.Fatalf("violations %q, want %q", got, want)
	}

	err = e.Conn.Invoke(ctx, "/tandem.publishing.v1.PublishingService/UnpublishArticle",
		notUTF8(t, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}, Reason: "~BAD~"}),
		&publishingv1.UnpublishArticleResponse{}, e.As(auth.Publisher), grpc.ForceCodecV2(rawCodec{}))
	st = stacktest.WantCode(t, "a takedown reason that is not UTF-8", err, codes.InvalidArgument)
	if got := violated(st); !slices.Equal(got, []string{"reason"}) {
		t.Fatalf("violations %q, want reason", got)
	}

	// Authorization still comes first.
	err = e.Conn.Invoke(ctx, "/tandem.drafting.v1.DraftingService/CreateDraft",
		notUTF8(t, &draftingv1.CreateDraftRequest{Article: a}), &draftingv1.CreateDraftResponse{},
		stacktest.BadToken(), grpc.ForceCodecV2(rawCodec{}))
	stacktest.WantCode(t, "a bad token", err, codes.Unauthenticated)

	if n := e.StreamMsgs(t, e.Bus.Config().EditorialStream); n != 0 {
		t.Fatalf("EDITORIAL holds %d messages after refused requests", n)
	}
}

func TestUnsafeTextIsRefusedAllAtOnce(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := e.Client(t)

	a := stacktest.SampleArticle()
	a.Date = "9999-12-31"
	zh, en := a.Locales["zh-CN"], a.Locales["en"]
	zh.Title = "图书馆**夜间**自习空间"
	en.Title = "\u200b\u2060\ufeff"
	en.Summary = "Open\x1b[8m late"
	zh.Byline.Authors = []string{"\u202e敏周"}
	zh.Blocks[1].GetFigure().File = "../../../etc/passwd"
	en.Blocks[1].GetFigure().File = "javascript:alert(1)"
	en.Blocks[0].Id = `"><script>alert(1)</script>`
	_, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, e.As(auth.Editor))
	st := stacktest.WantCode(t, "unsafe text", err, codes.InvalidArgument)
	want := []string{
		"article.date",
		`article.locales["en"].blocks[0].id`,
		`article.locales["en"].blocks[1].figure.file`,
		`article.locales["en"].summary`,
		`article.locales["en"].title`,
		`article.locales["zh-CN"].blocks[1].figure.file`,
		`article.locales["zh-CN"].byline.authors[0]`,
		`article.locales["zh-CN"].title`,
	}
	if got := violated(st); !slices.Equal(got, want) {
		t.Fatalf("violations %q, want %q", got, want)
	}
	if n := e.StreamMsgs(t, e.Bus.Config().EditorialStream); n != 0 {
		t.Fatalf("EDITORIAL holds %d messages after a refused draft", n)
	}

	// Reasons and notes are plain lines of text too.
	res, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	d := res.GetDraft()
	_, err = cl.Drafting.WithdrawDraft(ctx, &draftingv1.WithdrawDraftRequest{Id: d.GetArticle().GetId(), ExpectedRevision: d.GetRevision(), Reason: "\u202eetacilpud"}, e.As(auth.Editor))
	if got := violated(stacktest.WantCode(t, "a withdrawal reason with an override", err, codes.InvalidArgument)); !slices.Equal(got, []string{"reason"}) {
		t.Fatalf("violations %q, want reason", got)
	}
	_, err = cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: d.GetArticle().GetId(), Locales: []string{"zh-CN"}, Note: "更正\x00"}, e.As(auth.Publisher))
	if got := violated(stacktest.WantCode(t, "a correction note with a NUL", err, codes.InvalidArgument)); !slices.Equal(got, []string{"note"}) {
		t.Fatalf("violations %q, want note", got)
	}
	if n := e.StreamMsgs(t, e.Bus.Config().EditorialStream); n != 1 {
		t.Fatalf("EDITORIAL holds %d messages, want the one draft created", n)
	}
}
