package controlplane

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// Logging is the request's logging configuration: types on, every other
// type EKS knows off (EKS keeps a type's setting until told otherwise).
func Logging(types []string) *ekstypes.Logging {
	var on, off []ekstypes.LogType
	for _, t := range eksrules.LogTypes {
		if slices.Contains(types, t) {
			on = append(on, ekstypes.LogType(t))
		} else {
			off = append(off, ekstypes.LogType(t))
		}
	}
	var setups []ekstypes.LogSetup
	if len(on) > 0 {
		setups = append(setups, ekstypes.LogSetup{Enabled: aws.Bool(true), Types: on})
	}
	if len(off) > 0 {
		setups = append(setups, ekstypes.LogSetup{Enabled: aws.Bool(false), Types: off})
	}
	return &ekstypes.Logging{ClusterLogging: setups}
}

// EnabledLogTypes are the log types a cluster sends, sorted.
func EnabledLogTypes(c *ekstypes.Cluster) []string {
	var out []string
	if c == nil || c.Logging == nil {
		return nil
	}
	for _, s := range c.Logging.ClusterLogging {
		if aws.ToBool(s.Enabled) {
			for _, t := range s.Types {
				out = append(out, string(t))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// UpdateLogging turns the control plane's log types to types in place. As
// UpdateAccess, it waits for a running update first and sends nothing when
// the cluster already logs exactly those (EKS refuses a no-op: "No changes
// needed for the logging config provided").
func (cp *ControlPlane) UpdateLogging(ctx context.Context, ob *observed.Record, types []string) error {
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	if err != nil {
		return err
	}
	want := slices.Sorted(slices.Values(types))
	if slices.Equal(EnabledLogTypes(c), want) {
		ob.SetCluster(c)
		return nil
	}
	out, err := cp.c.EKS.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(cp.name), Logging: Logging(want)})
	if err != nil {
		return fmt.Errorf("updating the control plane logs of EKS cluster %q to %v: %w", cp.name, want, err)
	}
	return cp.finishUpdate(ctx, ob, out.Update)
}
