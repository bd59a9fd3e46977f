package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/auth"
)

// defaultDataDir is where tandem dev keeps its data unless told
// otherwise, relative to the folder it runs in.
const defaultDataDir = ".tandem"

// devTokensFile holds the plain development token of each role, in the
// data folder of tandem dev.
const devTokensFile = "dev-tokens.json"

// devTokenOptions are the inputs of tandem dev token.
type devTokenOptions struct {
	DataDir string
	Role    string
	out     io.Writer
}

// devTokenCmd prints one development token, so that a shell can export it
// with nothing but the binary: export TANDEM_TOKEN=$(tandem dev token editor).
func devTokenCmd() *cobra.Command {
	opts := &devTokenOptions{}
	cmd := &cobra.Command{
		Use:   "token ROLE",
		Short: "Print the development token of a role (" + roleList() + ") for TANDEM_TOKEN",
		Long: `token prints the development token that tandem dev created for ROLE in its
data folder, alone on its line, e.g.

  export TANDEM_TOKEN=$(tandem dev token editor)

Give --data (TANDEM_DATA) as given to tandem dev.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: roleNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Role, opts.out = args[0], cmd.OutOrStdout()
			return runDevToken(opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", env("TANDEM_DATA", defaultDataDir), "the data folder of tandem dev, which holds "+devTokensFile+" (TANDEM_DATA)")
	return cmd
}

// runDevToken prints the token of the role.
func runDevToken(opts *devTokenOptions) error {
	r := auth.Role(opts.Role)
	if !slices.Contains(auth.Roles, r) {
		return fmt.Errorf("no role %q: %s", opts.Role, roleList())
	}
	name := filepath.Join(opts.DataDir, devTokensFile)
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no development tokens in %s: tandem dev creates them on its first start (give --data as given to it)", opts.DataDir)
	}
	if err != nil {
		return err
	}
	tokens := map[auth.Role]string{}
	if err := json.Unmarshal(b, &tokens); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if tokens[r] == "" {
		return fmt.Errorf("%s holds no token for %s: start tandem dev once to create it", name, r)
	}
	fmt.Fprintln(opts.out, tokens[r])
	return nil
}

func roleNames() []string {
	var out []string
	for _, r := range auth.Roles {
		out = append(out, string(r))
	}
	return out
}

// roleList names every role in prose: "editor, translator, publisher or
// admin".
func roleList() string {
	n := roleNames()
	return strings.Join(n[:len(n)-1], ", ") + " or " + n[len(n)-1]
}
