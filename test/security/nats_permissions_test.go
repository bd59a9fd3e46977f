package security

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting"
	"github.com/tandemnews/tandem/services/media"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/review"
)

// deployedNATS starts a JetStream server with the users and permissions
// of deploy/nats/auth.conf and returns a function giving each user's URL.
func deployedNATS(t *testing.T) func(user string) string {
	t.Helper()
	users := []string{"tandem", "drafting", "review", "publishing", "site", "webhooks", "media"}
	for _, u := range users {
		t.Setenv(fmt.Sprintf("%s_NATS_PASSWORD", upper(u)), "pw-"+u)
	}
	// The cluster members' files read and include it.
	for n := 1; n <= 3; n++ {
		o, err := server.ProcessConfigFile(filepath.Join("..", "..", "deploy", "nats", fmt.Sprintf("nats-%d.conf", n)))
		if err != nil || len(o.Users) != len(users) {
			t.Fatalf("deploy/nats/nats-%d.conf: %v (%d users)", n, err, usersOf(o))
		}
	}
	opts, err := server.ProcessConfigFile(filepath.Join("..", "..", "deploy", "nats", "auth.conf"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.NoSigs = "127.0.0.1", -1, true
	opts.JetStream, opts.StoreDir = true, t.TempDir()
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats did not start")
	}
	addr := srv.Addr().String()
	return func(user string) string { return fmt.Sprintf("nats://%s:pw-%s@%s", user, user, addr) }
}

func usersOf(o *server.Options) int {
	if o == nil {
		return 0
	}
	return len(o.Users)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func connectAs(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := events.Connect(url, "permissions-test", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// refused runs op with a short deadline and reports whether it failed.
func refused(op func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return op(ctx)
}

// TestDeployedNATSPermissions runs Tandem against the users of
// deploy/nats/auth.conf: each service does its work with its own user, and
// the site reads PUBLIC and nothing else.
func TestDeployedNATSPermissions(t *testing.T) {
	urlOf := deployedNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := events.DefaultConfig()

	// The whole stack, in one process, as the "tandem" user.
	all, err := events.Open(ctx, connectAs(t, urlOf("tandem")), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartOn(t, all, cache.New(rdb, prefix))
	cl := e.Client(t)
	pub, err := cl.Walk(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	id := pub.ArticleId

	// Each editorial-side service opens the streams and reads and writes
	// what it owns with its own user.
	busAs := func(user string) *events.Bus {
		b, err := events.Open(ctx, connectAs(t, urlOf(user), nats.CustomInboxPrefix(events.InboxPrefix(user))), cfg)
		if err != nil {
			t.Fatalf("%s opens the streams: %v", user, err)
		}
		return b
	}
	as := func(r auth.Role) context.Context {
		return auth.WithUser(ctx, auth.User{ID: "perm-" + string(r), Roles: []auth.Role{r}})
	}
	d := drafting.New(busAs("drafting"), drafting.Options{})
	got, err := d.GetDraft(as(auth.Editor), &draftingv1.GetDraftRequest{Id: id})
	if err != nil {
		t.Fatalf("drafting user reads a draft: %v", err)
	}
	if _, err := d.UpdateDraft(as(auth.Editor), &draftingv1.UpdateDraftRequest{Article: got.Draft.Article, ExpectedRevision: got.Draft.Revision}); err != nil {
		t.Fatalf("drafting user writes a draft: %v", err)
	}
	rv := review.New(busAs("review"), nil)
	rctx, stopReview := context.WithCancel(ctx)
	defer stopReview()
	go rv.Run(rctx)
	select {
	case <-rv.Ready:
	case <-time.After(10 * time.Second):
		t.Fatal("review user cannot follow its views")
	}
	if _, err := rv.ImportGlossary(as(auth.Admin), &reviewv1.ImportGlossaryRequest{Data: []byte("zh\ten\n图书馆\tLibrary\n")}); err != nil {
		t.Fatalf("review user writes the glossary: %v", err)
	}
	if _, err := rv.CheckJob(as(auth.Translator), &reviewv1.CheckJobRequest{ArticleId: id}); err != nil {
		t.Fatalf("review user reads a job: %v", err)
	}
	p := publishing.New(busAs("publishing"), publishing.Options{})
	if _, err := p.GetPublication(as(auth.Publisher), &publishingv1.GetPublicationRequest{ArticleId: id}); err != nil {
		t.Fatalf("publishing user reads a publication: %v", err)
	}
	link, err := p.CreatePreviewLink(as(auth.Publisher), &publishingv1.CreatePreviewLinkRequest{ArticleId: id, Expires: timestamppb.New(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatalf("publishing user keeps the preview link key: %v", err)
	}
	if _, err := p.GetLinkedPreview(ctx, &publishingv1.GetLinkedPreviewRequest{Token: link.Token, Locale: "zh-CN"}); err != nil {
		t.Fatalf("publishing user checks a preview link: %v", err)
	}
	// Only publishing reads that key.
	for _, user := range []string{"drafting", "review", "site", "webhooks"} {
		js, _ := jetstream.New(connectAs(t, urlOf(user), nats.CustomInboxPrefix(events.InboxPrefix(user))))
		if err := refused(func(c context.Context) error { _, err := js.KeyValue(c, publishing.LinkKeyBucket(cfg)); return err }); err == nil {
			t.Errorf("%s opened the preview link key's bucket", user)
		}
	}
	// No service writes on another's subjects.
	for user, subject := range map[string]string{"drafting": "public.articles." + id, "review": "editorial.drafts." + id, "publishing": "editorial.reviews." + id} {
		js, _ := jetstream.New(connectAs(t, urlOf(user), nats.CustomInboxPrefix(events.InboxPrefix(user))))
		if err := refused(func(c context.Context) error { _, err := js.Publish(c, subject, []byte("x")); return err }); err == nil {
			t.Errorf("%s published on %s", user, subject)
		}
	}

	// A site replica with the site user serves the article.
	siteBus, err := events.OpenPublic(ctx, connectAs(t, urlOf("site"), nats.CustomInboxPrefix(events.InboxPrefix("site"))), cfg)
	if err != nil {
		t.Fatalf("site user attaches to PUBLIC: %v", err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sc := siteconfig.Default()
	sc.BaseURL = e.SiteURL
	sctx, stopSite := context.WithCancel(ctx)
	st, err := stack.Start(sctx, stack.Config{Services: []string{"site"}, Bus: siteBus, Site: sc, HTTP: hl, PublishingAddr: e.GRPCAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { stopSite(); _ = st.Wait() }()
	select {
	case <-st.Site.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the site user cannot follow PUBLIC")
	}
	for _, pl := range pub.Locales {
		if code, _ := stacktest.Fetch(t, "http://"+hl.Addr().String()+pl.Path); code != http.StatusOK {
			t.Errorf("site replica on the site user answers %d for %s", code, pl.Path)
		}
	}

	// The media user keeps the library; publishing's user copies a photo
	// a published page shows into PUBLIC_MEDIA; the site's serves it.
	mctx, stopMedia := context.WithCancel(ctx)
	defer stopMedia()
	m := media.New(busAs("media"), media.Options{})
	go m.Run(mctx)
	select {
	case <-m.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("media user cannot open its bucket or follow its views")
	}
	up, err := m.UploadMedia(as(auth.Editor), &mediav1.UploadMediaRequest{Data: testkit.Photo(t, 400, 300, 0), Alt: map[string]string{"zh-CN": "校门", "en": "The gate"}})
	if err != nil {
		t.Fatalf("media user stores a photo: %v", err)
	}
	withPhoto := stacktest.SampleArticle()
	withPhoto.Slug = "permissions-photo"
	for _, lc := range withPhoto.Locales {
		for _, b := range lc.Blocks {
			if f := b.GetFigure(); f != nil {
				f.File, f.Media = "", up.Item.Id
			}
		}
	}
	photoArticle, err := cl.Approve(ctx, withPhoto, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PublishArticle(as(auth.Publisher), &publishingv1.PublishArticleRequest{ArticleId: photoArticle, Locales: []string{"zh-CN", "en"}}); err != nil {
		t.Fatalf("publishing user publishes a page with a photo: %v", err)
	}
	photoURL := fmt.Sprintf("http://%s/media/%s-400.jpg", hl.Addr(), up.Item.Id)
	stacktest.Eventually(t, "the site user serves the photo", func() bool { code, _ := stacktest.Fetch(t, photoURL); return code == http.StatusOK })
	// Publishing's user reads a photo from the library for a preview
	// link that shows it.
	photoLink, err := p.CreatePreviewLink(as(auth.Publisher), &publishingv1.CreatePreviewLinkRequest{ArticleId: photoArticle, Expires: timestamppb.New(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	sent := &photoStream{ctx: ctx}
	if err := p.GetLinkedMedia(&publishingv1.GetLinkedMediaRequest{Token: photoLink.Token, Media: up.Item.Id, Width: 400}, sent); err != nil {
		t.Fatalf("publishing user reads a linked photo from the library: %v", err)
	}
	if len(sent.data) == 0 || int64(len(sent.data)) != sent.size {
		t.Fatalf("publishing user sent %d bytes of a %d-byte photo", len(sent.data), sent.size)
	}

	// The site user cannot listen to the replies others receive: not the
	// default inboxes, not drafting's (which carry drafts).
	for _, subject := range []string{"_INBOX.>", events.InboxPrefix("drafting") + ".>", ">"} {
		if err := subscribeRefused(t, urlOf("site"), subject); err != nil {
			t.Error(err)
		}
	}

	// And the site user can do nothing else.
	nc := connectAs(t, urlOf("site"), nats.CustomInboxPrefix(events.InboxPrefix("site")))
	js, _ := jetstream.New(nc)
	denied := map[string]func(ctx context.Context) error{
		"publish on PUBLIC": func(c context.Context) error {
			_, err := js.Publish(c, "public.articles."+id, []byte("defaced"))
			return err
		},
		"create or update the streams": func(c context.Context) error { _, err := events.Open(c, nc, cfg); return err },
		"read EDITORIAL":               func(c context.Context) error { _, err := js.Stream(c, cfg.EditorialStream); return err },
		"read the media library":       func(c context.Context) error { _, err := js.ObjectStore(c, media.Bucket(cfg)); return err },
		"follow EDITORIAL": func(c context.Context) error {
			_, err := js.OrderedConsumer(c, cfg.EditorialStream, jetstream.OrderedConsumerConfig{})
			return err
		},
		"purge PUBLIC": func(c context.Context) error {
			s, err := js.Stream(c, cfg.PublicStream)
			if err != nil {
				return err
			}
			return s.Purge(c)
		},
	}
	// The same reads succeed for a user allowed them, so a refusal above
	// is the permission, not the server.
	tjs, _ := jetstream.New(connectAs(t, urlOf("tandem")))
	if err := refused(func(c context.Context) error { _, err := tjs.Stream(c, cfg.EditorialStream); return err }); err != nil {
		t.Fatalf("the tandem user cannot read EDITORIAL either: %v", err)
	}
	for what, op := range denied {
		if err := refused(op); err == nil {
			t.Errorf("the site user could %s", what)
		} else {
			t.Logf("site user: %s refused (%v)", what, err)
		}
	}
}

// subscribeRefused subscribes to subject as the user of url and returns
// an error unless the server refuses it with a permissions violation.
func subscribeRefused(t *testing.T, url, subject string) error {
	t.Helper()
	violations := make(chan error, 4)
	nc := connectAs(t, url, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { violations <- err }))
	if _, err := nc.SubscribeSync(subject); err != nil {
		t.Logf("site user: subscribe to %s refused (%v)", subject, err)
		return nil
	}
	_ = nc.Flush()
	select {
	case err := <-violations:
		if !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			return fmt.Errorf("subscribe to %s: %v, want a permissions violation", subject, err)
		}
		t.Logf("site user: subscribe to %s refused (%v)", subject, err)
		return nil
	case <-time.After(2 * time.Second):
		return fmt.Errorf("the site user could subscribe to %s", subject)
	}
}

// photoStream takes what GetLinkedMedia sends.
type photoStream struct {
	grpc.ServerStream
	ctx  context.Context
	size int64
	data []byte
}

func (s *photoStream) Context() context.Context { return s.ctx }

func (s *photoStream) Send(m *publishingv1.GetLinkedMediaResponse) error {
	if m.Size != 0 {
		s.size = m.Size
	}
	s.data = append(s.data, m.Data...)
	return nil
}
