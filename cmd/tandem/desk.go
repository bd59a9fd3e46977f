package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/tandemnews/tandem/pkg/auth"
)

// deskSettings are the settings of the browser desk and of sign-in.
type deskSettings struct {
	Addr        string
	Calls       string
	Secure      bool
	SessionIdle time.Duration
}

func (d *deskSettings) bind(fs *pflag.FlagSet, bad *[]error) {
	fs.StringVar(&d.Addr, "desk-addr", env("TANDEM_DESK_ADDR", "127.0.0.1:8081"), "browser desk listen address (TANDEM_DESK_ADDR)")
	fs.StringVar(&d.Calls, "services-addr", env("TANDEM_SERVICES_ADDR", ""), "gRPC address the desk calls the services at; default this process's --grpc-addr (TANDEM_SERVICES_ADDR)")
	fs.BoolVar(&d.Secure, "desk-secure", env("TANDEM_DESK_SECURE", "") == "true", "mark the desk's session cookie Secure: HTTPS is in front of it (TANDEM_DESK_SECURE=true)")
	idle := 30 * time.Minute
	if v := env("TANDEM_SESSION_IDLE", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 2*time.Minute {
			*bad = append(*bad, fmt.Errorf("TANDEM_SESSION_IDLE is %q: a duration of at least 2m, e.g. 30m", v))
		} else {
			idle = d
		}
	}
	fs.DurationVar(&d.SessionIdle, "session-idle", idle, "a sign-in session not used this long ends; at least 2m (TANDEM_SESSION_IDLE)")
}

// devPasswordsFile holds the plain password of each development user, in
// the data folder of tandem dev, beside the tokens.
const devPasswordsFile = "dev-passwords.json"

// devPasswords gives each development user (dev-<role>) a password to sign
// in to the desk with, on first start, and returns them. A password
// changed since with tandem users passwd is left alone and not printed.
func devPasswords(c *config) (map[auth.Role]string, error) {
	plain := filepath.Join(c.DataDir, devPasswordsFile)
	pws := map[auth.Role]string{}
	if b, err := os.ReadFile(plain); err == nil {
		if err := json.Unmarshal(b, &pws); err != nil {
			return nil, fmt.Errorf("%s: %w", plain, err)
		}
	}
	store, err := auth.Load(c.AuthFile)
	if err != nil {
		return nil, err
	}
	for _, r := range auth.Roles {
		id := "dev-" + string(r)
		if _, ok := store.User(id); !ok {
			delete(pws, r)
			continue
		}
		if store.HasPassword(id) {
			if _, ok := store.CheckPassword(id, pws[r]); pws[r] != "" && !ok {
				delete(pws, r)
			}
			continue
		}
		pws[r] = rand.Text()[:16]
		if err := auth.SetPassword(c.AuthFile, id, pws[r]); err != nil {
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(pws, "", "  ")
	return pws, os.WriteFile(plain, b, 0o600)
}
