package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/rightsize/rightsize"
)

func newVersion(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print rightsize's version, the Kubernetes version it follows, and the control plane verify runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeVersion(s.Out)
		},
	}
}

func writeVersion(w io.Writer) error {
	v := rightsize.Version()
	_, err := fmt.Fprintf(w, "rightsize %s\nfootprint follows Kubernetes %s admission\nverify runs kube-apiserver %s, etcd %s\n", v.Module, v.Kubernetes, v.ControlPlane, v.Etcd)
	return err
}
