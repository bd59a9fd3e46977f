package faults

import (
	"context"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestNATSRestartUnderLoadLosesNothing(t *testing.T) {
	n := testkit.StartNATS(t)
	rdb, prefix := testkit.Redis(t)
	// Three editors at full speed are more than a person's rate limit.
	e := stacktest.StartWith(t, n.URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Rate = -1 })
	l := newLedger()
	load, stop := context.WithTimeout(context.Background(), 7*time.Second)
	defer stop()
	wg := editorialLoad(t, e, l, load)
	time.Sleep(1500 * time.Millisecond)
	n.Stop()
	t.Log("injected: NATS stopped for 3s")
	time.Sleep(3 * time.Second)
	n.Start()
	t.Log("injected: NATS started again on the same store")
	wg.Wait()
	l.verify(t, e)
}

func TestClusterLeaderKilledUnderLoadLosesNothing(t *testing.T) {
	c := testkit.StartCluster(t)
	bus := testkit.BusWith(t, c.URL(), 3)
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartOn(t, bus, cache.New(rdb, prefix), func(c *stack.Config) { c.Rate = -1 })
	l := newLedger()
	load, stop := context.WithTimeout(context.Background(), 8*time.Second)
	defer stop()
	wg := editorialLoad(t, e, l, load)
	time.Sleep(2 * time.Second)
	s, err := bus.JetStream().Stream(load, bus.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(load)
	if err != nil || info.Cluster == nil || info.Cluster.Leader == "" {
		t.Fatalf("no stream leader: %v %+v", err, info)
	}
	if !c.Kill(info.Cluster.Leader) {
		t.Fatalf("no member named %s", info.Cluster.Leader)
	}
	t.Logf("injected: killed %s, the leader of %s, under load", info.Cluster.Leader, bus.Config().EditorialStream)
	wg.Wait()
	l.verify(t, e)
}
