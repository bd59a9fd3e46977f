package rpc

import (
	"bytes"
	"context"
	"net"
	"slices"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// damaged encodes m, then turns every "~BAD~" in its strings into bytes
// that are not UTF-8 (the same length, so the encoding stays sound): what
// a client that does not check its strings sends.
func damaged(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("~BAD~"), []byte("\xffBAD\xfe"))
}

func para(s string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: s}}}
}

func TestCodecNamesEveryStringThatIsNotUTF8(t *testing.T) {
	req := &draftingv1.UpdateDraftRequest{
		Article: &articlev1.Article{
			Id:      "A1",
			Section: []string{"news", "~BAD~"},
			Locales: map[string]*articlev1.LocalizedContent{
				"zh-CN": {Title: "标题", Blocks: []*articlev1.Block{para("一。"), para("二~BAD~")}},
				"en":    {Title: "T~BAD~", Byline: &articlev1.Byline{Authors: []string{"Li", "~BAD~"}}},
				"~BAD~": {Title: "x"},
			},
		},
		ExpectedRevision: 3,
		UpdateMask:       &fieldmaskpb.FieldMask{Paths: []string{"~BAD~"}},
	}
	data := damaged(t, req)
	if err := protoCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, &draftingv1.UpdateDraftRequest{}); err == nil {
		t.Fatal("the proto codec accepted strings that are not UTF-8")
	}
	got := &draftingv1.UpdateDraftRequest{}
	if err := (codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	want := []string{
		`article.section[1]`,
		`article.locales["en"].byline.authors[1]`,
		`article.locales["en"].title`,
		`article.locales["zh-CN"].blocks[1].paragraph.text`,
		`article.locales["\xffBAD\xfe"]`,
		`update_mask.paths[0]`,
	}
	paths := marked(got)
	slices.Sort(paths)
	slices.Sort(want)
	if !slices.Equal(paths, want) {
		t.Errorf("marked %q, want %q", paths, want)
	}
	if got.GetArticle() != nil || got.GetExpectedRevision() != 0 {
		t.Errorf("a refused request was handed on with content: %v", got)
	}

	// A sound request decodes as the proto codec decodes it, unmarked.
	ok := &draftingv1.UpdateDraftRequest{}
	if err := (codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(damaged(t, &draftingv1.UpdateDraftRequest{Article: &articlev1.Article{Id: "A1"}}))}, ok); err != nil {
		t.Fatal(err)
	}
	if ok.GetArticle().GetId() != "A1" || marked(ok) != nil {
		t.Errorf("a sound request decoded as %v, marked %q", ok, marked(ok))
	}
	// A mark sent by a client is dropped: only the codec marks a request.
	forged := append(damaged(t, &draftingv1.UpdateDraftRequest{ExpectedRevision: 2}), protowire.AppendString(protowire.AppendTag(nil, markNumber, protowire.BytesType), "id")...)
	if err := (codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(forged)}, ok); err != nil || marked(ok) != nil || ok.GetExpectedRevision() != 2 {
		t.Errorf("a forged mark: %v, marked %q", err, marked(ok))
	}
	// Other damage is still the proto codec's error.
	if err := (codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0x0a, 0x05, 'x'})}, &draftingv1.UpdateDraftRequest{}); err == nil {
		t.Error("a truncated message was accepted")
	}
}

// raw sends bytes as they are, and decodes answers as protobuf.
type raw struct{}

func (raw) Name() string { return "proto" }
func (raw) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}
func (raw) Unmarshal(data mem.BufferSlice, v any) error { return protoCodec.Unmarshal(data, v) }

func TestInvalidUTF8IsInvalidArgumentNamingTheField(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(checkUTF8...)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()

	bad := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "svc\xff")
	err = conn.Invoke(ctx, "/grpc.health.v1.Health/Check", bad, &healthpb.HealthCheckResponse{}, grpc.ForceCodecV2(raw{}))
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code %v (%v), want InvalidArgument", st.Code(), err)
	}
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				fields = append(fields, v.Field+": "+v.Description)
			}
		}
	}
	if !slices.Equal(fields, []string{"service: is not valid UTF-8"}) {
		t.Fatalf("violations %q, want service", fields)
	}

	// A sound request reaches the handler.
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("a sound request: %v, %v", res, err)
	}
}
