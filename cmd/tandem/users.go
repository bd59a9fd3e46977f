package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/auth"
)

// usersOptions are the inputs of tandem users add|passwd|remove.
type usersOptions struct {
	AuthFile string
	DataDir  string
	Name     string
	Roles    []string
	ID       string
	in       io.Reader
	out      io.Writer
	errOut   io.Writer
}

func usersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Add people who sign in to the desk, set their passwords, remove them",
		Long: `users edits the user file (--auth-file, TANDEM_AUTH_FILE; tandem dev's is
<data>/auth.json) that holds the tokens, and the argon2id hashes of the
passwords people sign in to the desk with. A running server reads the
change within seconds. The password is read from the first line of
standard input:

  tandem users add ana --name "Ana Li" --role editor   (then type the password)
  printf '%s\n' "$PW" | tandem users passwd ana`,
	}
	verb := func(use, short string, run func(*usersOptions) error, flags func(*cobra.Command, *usersOptions)) *cobra.Command {
		opts := &usersOptions{}
		c := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				opts.ID, opts.in, opts.out, opts.errOut = args[0], cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
				return run(opts)
			},
		}
		c.Flags().StringVar(&opts.AuthFile, "auth-file", env("TANDEM_AUTH_FILE", ""), "the user file; default <data>/auth.json (TANDEM_AUTH_FILE)")
		c.Flags().StringVar(&opts.DataDir, "data", env("TANDEM_DATA", defaultDataDir), "the data folder of tandem dev (TANDEM_DATA)")
		if flags != nil {
			flags(c, opts)
		}
		return c
	}
	cmd.AddCommand(
		verb("add USERNAME", "Add a person who signs in with a password", runUsersAdd, func(c *cobra.Command, o *usersOptions) {
			c.Flags().StringVar(&o.Name, "name", "", "display name; default the username")
			c.Flags().StringSliceVar(&o.Roles, "role", nil, "a role ("+roleList()+"); repeat for several")
		}),
		verb("passwd USERNAME", "Set the password of a person", runUsersPasswd, nil),
		verb("remove USERNAME", "Remove a person: their token, password and sessions stop working", runUsersRemove, nil),
	)
	return cmd
}

func (o *usersOptions) file() string {
	if o.AuthFile != "" {
		return o.AuthFile
	}
	return filepath.Join(o.DataDir, "auth.json")
}

// password reads the password from the first line of the input.
func (o *usersOptions) password() (string, error) {
	fmt.Fprintf(o.errOut, "Password for %s (at least %d characters): ", o.ID, auth.MinPasswordRunes)
	line, err := bufio.NewReader(o.in).ReadString('\n')
	fmt.Fprintln(o.errOut)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := auth.CheckPasswordRules(pw); err != nil {
		return "", err
	}
	return pw, nil
}

func runUsersAdd(o *usersOptions) error {
	if len(o.Roles) == 0 {
		return fmt.Errorf("give at least one --role (%s)", roleList())
	}
	u := auth.User{ID: o.ID, Name: o.Name}
	if u.Name == "" {
		u.Name = o.ID
	}
	for _, r := range o.Roles {
		u.Roles = append(u.Roles, auth.Role(r))
	}
	pw, err := o.password()
	if err != nil {
		return err
	}
	if err := auth.AddUser(o.file(), u, pw); err != nil {
		return err
	}
	fmt.Fprintf(o.out, "added %s (%s) to %s: they sign in to the desk as %s\n", o.ID, strings.Join(o.Roles, ", "), o.file(), o.ID)
	return nil
}

func runUsersPasswd(o *usersOptions) error {
	pw, err := o.password()
	if err != nil {
		return err
	}
	if err := auth.SetPassword(o.file(), o.ID, pw); err != nil {
		return err
	}
	fmt.Fprintf(o.out, "set the password of %s in %s\n", o.ID, o.file())
	return nil
}

func runUsersRemove(o *usersOptions) error {
	if err := auth.RemoveUser(o.file(), o.ID); err != nil {
		return err
	}
	fmt.Fprintf(o.out, "removed %s from %s: their token, password and sessions no longer work\n", o.ID, o.file())
	return nil
}
