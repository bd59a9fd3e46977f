package main

import "github.com/spf13/cobra"

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tandem",
		Short:         "Tandem: a bilingual newsroom",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(devCmd(), serveCmd(), draftCmd(), reviewCmd(), glossaryCmd(), tmCmd(), publishCmd(), schedulesCmd(), correctCmd(), unpublishCmd(), auditCmd(), webhooksCmd(), mediaCmd(), usersCmd(), backupCmd(), restoreCmd(), healthCmd())
	return root
}
