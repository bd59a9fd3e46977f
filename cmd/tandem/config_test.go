package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/pkg/cache"
)

// settingsVerb runs a verb that reads the settings, with args, and returns
// its error. The verbs refuse bad settings before they start anything.
func settingsVerb(t *testing.T, args ...string) error {
	t.Helper()
	root := rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if out.Len() > 0 {
		t.Errorf("tandem %s printed %q", strings.Join(args, " "), out.String())
	}
	return err
}

func TestSettingsRefuseANumberFromTheEnvironmentThatDoesNotParse(t *testing.T) {
	t.Setenv("TANDEM_DATA", t.TempDir())
	t.Setenv("TANDEM_STREAM_REPLICAS", "three")
	t.Setenv("TANDEM_RATE_LIMIT", "fast")
	t.Setenv("TANDEM_RATE_BURST", "20 ")
	t.Setenv("TANDEM_NATS_PORT", "4223x")
	want := []string{
		`TANDEM_STREAM_REPLICAS="three" is not a whole number`,
		`TANDEM_RATE_LIMIT="fast" is not a number`,
		`TANDEM_NATS_PORT="4223x" is not a whole number`,
	}
	for _, verb := range [][]string{{"serve", "site"}, {"dev"}, {"audit", "01M8PB970H4VG5W93RFPTXSKDA"}} {
		err := settingsVerb(t, verb...)
		if err == nil {
			t.Fatalf("tandem %s ran with TANDEM_STREAM_REPLICAS=three", verb[0])
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("tandem %s said %q; want it to say %q", verb[0], err, w)
			}
		}
		if strings.Contains(err.Error(), "TANDEM_RATE_BURST") {
			t.Errorf("tandem %s refused TANDEM_RATE_BURST=\"20 \", a number: %v", verb[0], err)
		}
	}
}

func TestSettingsRefuseValuesOutOfRangeByName(t *testing.T) {
	t.Setenv("TANDEM_DATA", t.TempDir())
	for _, c := range []struct {
		env, value, want string
	}{
		{"TANDEM_STREAM_REPLICAS", "0", "--stream-replicas (TANDEM_STREAM_REPLICAS) is 0: JetStream keeps 1 to 5 replicas"},
		{"TANDEM_STREAM_REPLICAS", "7", "--stream-replicas (TANDEM_STREAM_REPLICAS) is 7"},
		{"TANDEM_NATS_PORT", "70000", "--nats-port (TANDEM_NATS_PORT) is 70000"},
		{"TANDEM_LOG_LEVEL", "loud", `--log-level (TANDEM_LOG_LEVEL) is "loud": debug, info, warn or error`},
		{"TANDEM_LOG_FORMAT", "xml", `--log-format (TANDEM_LOG_FORMAT) is "xml": text or json`},
	} {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			t.Setenv(c.env, c.value)
			err := settingsVerb(t, "serve", "site")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("tandem serve with %s=%s said %v; want %q", c.env, c.value, err, c.want)
			}
		})
	}
}

func TestSettingsRefuseAFlagThatDoesNotParse(t *testing.T) {
	t.Setenv("TANDEM_DATA", t.TempDir())
	for _, args := range [][]string{
		{"serve", "--stream-replicas", "three", "site"},
		{"serve", "--rate-limit", "fast", "site"},
		{"dev", "--nats-port", "x"},
	} {
		err := settingsVerb(t, args...)
		if err == nil || !strings.Contains(err.Error(), `invalid argument "`+args[2]+`" for "`+args[1]+`"`) {
			t.Errorf("tandem %s said %v; want it to name %s", strings.Join(args, " "), err, args[1])
		}
	}
	err := settingsVerb(t, "serve", "--stream-replicas", "0", "site")
	if err == nil || !strings.Contains(err.Error(), "--stream-replicas (TANDEM_STREAM_REPLICAS) is 0") {
		t.Errorf("tandem serve --stream-replicas 0 said %v", err)
	}
}

func TestRedisOptionsHonourEachCallsDeadline(t *testing.T) {
	options := func(url string) (*redis.Options, error) {
		rdb, err := (&config{RedisURL: url}).redisClient()
		if err != nil {
			return nil, err
		}
		defer rdb.Close()
		return rdb.(*redis.Client).Options(), nil
	}
	opt, err := options("redis://127.0.0.1:6379/0")
	if err != nil {
		t.Fatal(err)
	}
	if !opt.ContextTimeoutEnabled || opt.ReadTimeout != cache.IOTimeout || opt.WriteTimeout != cache.IOTimeout || opt.DialTimeout != cache.DialTimeout || opt.PoolTimeout != cache.PoolTimeout {
		t.Errorf("REDIS_URL without limits: context deadlines honoured %v, read %v, write %v, dial %v, pool %v; want true and the cache's limits",
			opt.ContextTimeoutEnabled, opt.ReadTimeout, opt.WriteTimeout, opt.DialTimeout, opt.PoolTimeout)
	}
	opt, err = options("redis://127.0.0.1:6379/0?read_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if !opt.ContextTimeoutEnabled || opt.ReadTimeout != 2*time.Second {
		t.Errorf("REDIS_URL with read_timeout=2s: context deadlines honoured %v, read %v", opt.ContextTimeoutEnabled, opt.ReadTimeout)
	}
}

func TestTLSFromTheEnvironmentMustBeTrueOrFalse(t *testing.T) {
	t.Setenv("TANDEM_TLS", "yes please")
	t.Setenv("TANDEM_TOKEN", "tdm_x")
	root := rootCmd()
	root.SetArgs([]string{"draft", "show", "01J0000000000000000000000A", "--addr", "127.0.0.1:1"})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), `TANDEM_TLS="yes please" is not true or false`) {
		t.Fatalf("err = %v", err)
	}
}

func TestJSONLogsAreOneObjectALine(t *testing.T) {
	var buf bytes.Buffer
	(&config{LogLevel: "info", LogFormat: "json"}).logTo(&buf).Info("article released", "article", "A1", "revision", 3)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "article released" || line["article"] != "A1" || line["level"] != "INFO" {
		t.Errorf("log line %q: %v %v", buf.String(), line, err)
	}
}
