package cache_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
)

// exercise stores, settles and refills the pages of several articles
// (whose keys fall in different slots of a cluster) and reads them back.
func exercise(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := cache.New(rdb, "clustertest:")
	for i := range 12 {
		article := fmt.Sprintf("A%02d", i)
		v1, v2 := p.PageKey("en", article, "1-a"), p.PageKey("en", article, "2-b")
		if err := p.Store(ctx, article, cache.Page{Key: v1, HTML: []byte("one")}, cache.Page{Key: v2, HTML: []byte("two")}); err != nil {
			t.Fatalf("store %s: %v", article, err)
		}
		if n, err := p.Settle(ctx, article, v2); err != nil || n != 1 {
			t.Fatalf("settle %s: %d, %v", article, n, err)
		}
		if err := p.Refill(ctx, article, cache.Page{Key: v2, HTML: []byte("two")}); err != nil {
			t.Fatalf("refill %s: %v", article, err)
		}
		if b, err := p.Get(ctx, v2); err != nil || string(b) != "two" {
			t.Fatalf("get %s: %q %v", article, b, err)
		}
		if _, err := p.Get(ctx, v1); !errors.Is(err, cache.ErrMiss) {
			t.Fatalf("%s: an old version survived settling: %v", article, err)
		}
		if _, err := p.Settle(ctx, article); err != nil {
			t.Fatal(err)
		}
	}
}

func needRedisCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("skipping: redis-cli is not installed (apt-get install redis-tools)")
	}
}

func TestPagesWorkOnARedisCluster(t *testing.T) {
	needRedisCLI(t)
	var nodes []string
	for range 3 {
		r := stacktest.StartRedis(t, "--cluster-enabled", "yes", "--cluster-node-timeout", "2000")
		nodes = append(nodes, r.Addr())
	}
	args := append([]string{"--cluster", "create"}, nodes...)
	if out, err := exec.Command("redis-cli", append(args, "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	stacktest.EventuallyWithin(t, "the cluster is ok", 20*time.Second, func() bool {
		for _, n := range nodes {
			host, port, _ := strings.Cut(n, ":")
			out, err := exec.Command("redis-cli", "-h", host, "-p", port, "cluster", "info").Output()
			if err != nil || !strings.Contains(string(out), "cluster_state:ok") {
				return false
			}
		}
		return true
	})
	url := fmt.Sprintf("redis://%s?addr=%s&addr=%s", nodes[0], nodes[1], nodes[2])
	rdb, err := cache.Connect(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("%s made a %T, want a cluster client", url, rdb)
	}
	exercise(t, rdb)
	// One seed is enough with cluster=true.
	one, err := cache.Connect("redis://"+nodes[1]+"?cluster=true", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	exercise(t, one)
	if _, err := cache.Connect("redis://"+nodes[1]+"?cluster=yes", nil); err == nil {
		t.Error("cluster=yes was accepted")
	}
}

func TestPagesFollowASentinelFailover(t *testing.T) {
	needRedisCLI(t)
	primary := stacktest.StartRedis(t)
	host, port, _ := strings.Cut(primary.Addr(), ":")
	replica := stacktest.StartRedis(t, "--replicaof", host, port)
	_ = replica
	sport := stacktest.FreePort(t)
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(
		"port %d\nbind 127.0.0.1\nsentinel monitor tandem %s %s 1\nsentinel down-after-milliseconds tandem 1000\nsentinel failover-timeout tandem 5000\n",
		sport, host, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	sentinel := exec.Command("redis-server", conf, "--sentinel")
	if err := sentinel.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sentinel.Process.Kill(); _ = sentinel.Wait() })
	sentinelAddr := fmt.Sprintf("127.0.0.1:%d", sport)
	stacktest.EventuallyWithin(t, "the sentinel knows the replica", 20*time.Second, func() bool {
		out, err := exec.Command("redis-cli", "-p", fmt.Sprint(sport), "sentinel", "replicas", "tandem").Output()
		return err == nil && strings.Contains(string(out), "slave")
	})
	rdb, err := cache.Connect("redis://"+sentinelAddr+"?master_name=tandem", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	exercise(t, rdb)
	primary.Stop()
	t.Log("injected: the primary killed")
	stacktest.EventuallyWithin(t, "the cache works again after the failover", 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p := cache.New(rdb, "failover:")
		return p.Store(ctx, "F1", cache.Page{Key: p.PageKey("en", "F1", "1-a"), HTML: []byte("x")}) == nil
	})
	exercise(t, rdb)
}
