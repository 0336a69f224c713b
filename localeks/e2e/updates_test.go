package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// TestUpdates: cluster and node group updates as EKS makes them. Each
// update call returns an Update InProgress (API reference, "Update":
// https://docs.aws.amazon.com/eks/latest/APIReference/API_Update.html),
// readable with DescribeUpdate and listed by ListUpdates; the change shows
// only once it is Successful; a second update while one runs, and Fargate
// profile operations during a cluster update, get ResourceInUseException
// (UpdateClusterConfig, "Errors"); a no-op gets InvalidParameterException;
// Kubernetes versions go up one minor version at a time, node groups after
// the control plane (user guide, "Update existing cluster to new Kubernetes
// version": https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html).
// One cluster (Kubernetes 1.34, one node group) serves every subtest.
func TestUpdates(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	env.Server.Shaper.Set(shaping.Config{ClusterUpdate: shaping.Duration{Duration: 1500 * time.Millisecond},
		NodegroupUpdate: shaping.Duration{Duration: 1500 * time.Millisecond}})
	t.Cleanup(func() { env.Server.Shaper.Set(shaping.Config{}) })
	name, role := "updates", "arn:aws:iam::123456789012:role/eks"
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role), Version: aws.String("1.34"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}, EndpointPublicAccess: aws.Bool(true)}})
	must(t, err)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	_, err = eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	_, err = e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"), NodeRole: aws.String(role),
		Subnets: []string{"subnet-a"}, Version: aws.String("1.34"),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(3)}})
	must(t, err)
	describe := func() *ekstypes.Cluster {
		out, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		must(t, err)
		return out.Cluster
	}
	nodegroup := func() *ekstypes.Nodegroup {
		out, err := e.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
		must(t, err)
		return out.Nodegroup
	}
	// refused: the call fails with EKS's error code and words.
	refused := func(err error, wantCode, wantText string) {
		t.Helper()
		if code(err) != wantCode || !strings.Contains(err.Error(), wantText) {
			t.Fatalf("got %v, want %s: %s", err, wantCode, wantText)
		}
	}
	// succeeded waits for the update to turn Successful.
	succeeded := func(u *ekstypes.Update, ng string) {
		t.Helper()
		in := &eks.DescribeUpdateInput{Name: aws.String(name), UpdateId: u.Id}
		if ng != "" {
			in.NodegroupName = aws.String(ng)
		}
		eventually(t, 10*time.Second, "update "+aws.ToString(u.Id)+" Successful", func() error {
			out, err := e.DescribeUpdate(ctx, in)
			if err != nil {
				return err
			}
			if out.Update.Status != ekstypes.UpdateStatusSuccessful {
				return fmt.Errorf("status %s", out.Update.Status)
			}
			return nil
		})
	}
	inProgress := func(u *ekstypes.Update, typ ekstypes.UpdateType) {
		t.Helper()
		if u == nil || u.Status != ekstypes.UpdateStatusInProgress || u.Type != typ || aws.ToString(u.Id) == "" {
			t.Fatalf("update %+v, want %s InProgress", u, typ)
		}
	}

	t.Run("endpoint access: an Update, applied when Successful, subnets kept, one at a time", func(t *testing.T) {
		out, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true), EndpointPublicAccess: aws.Bool(true)}})
		must(t, err)
		inProgress(out.Update, ekstypes.UpdateTypeEndpointAccessUpdate)
		if c := describe(); c.Status != ekstypes.ClusterStatusUpdating || c.ResourcesVpcConfig.EndpointPrivateAccess {
			t.Fatalf("during the update: %s, private access %t; want UPDATING, not yet private", c.Status, c.ResourcesVpcConfig.EndpointPrivateAccess)
		}
		_, err = e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.35")}, noRetry)
		refused(err, "ResourceInUseException", "Cannot VersionUpdate because cluster updates currently has update "+aws.ToString(out.Update.Id)+" in progress")
		_, err = e.CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("fp"),
			PodExecutionRoleArn: aws.String(role), Subnets: []string{"subnet-a"}, Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("x")}}}, noRetry)
		refused(err, "ResourceInUseException", "currently has update")
		succeeded(out.Update, "")
		c := describe()
		if c.Status != ekstypes.ClusterStatusActive || !c.ResourcesVpcConfig.EndpointPrivateAccess || !slices.Equal(c.ResourcesVpcConfig.SubnetIds, []string{"subnet-a", "subnet-b"}) {
			t.Fatalf("after the update: %s, private %t, subnets %v", c.Status, c.ResourcesVpcConfig.EndpointPrivateAccess, c.ResourcesVpcConfig.SubnetIds)
		}
		list, err := e.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String(name)})
		must(t, err)
		if !slices.Contains(list.UpdateIds, aws.ToString(out.Update.Id)) {
			t.Fatalf("ListUpdates %v lacks %s", list.UpdateIds, aws.ToString(out.Update.Id))
		}
	})

	t.Run("no-op updates: already at the desired configuration", func(t *testing.T) {
		_, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true), EndpointPublicAccess: aws.Bool(true)}})
		refused(err, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: true, and Public Endpoint Restrictions: [0.0.0.0/0]")
		logging := &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(true), Types: []ekstypes.LogType{ekstypes.LogTypeApi}}}}
		out, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name), Logging: logging})
		must(t, err)
		inProgress(out.Update, ekstypes.UpdateTypeLoggingUpdate)
		succeeded(out.Update, "")
		_, err = e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name), Logging: logging})
		refused(err, "InvalidParameterException", "No changes needed for the logging config provided")
	})

	t.Run("versions: one minor at a time, control plane first, node groups after", func(t *testing.T) {
		_, err := e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.36")})
		refused(err, "InvalidParameterException", "Unsupported Kubernetes minor version update from 1.34 to 1.36")
		_, err = e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.34")})
		refused(err, "InvalidParameterException", "Unsupported Kubernetes minor version update from 1.34 to 1.34")
		_, err = e.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"), Version: aws.String("1.35")})
		refused(err, "InvalidParameterException", "not supported for cluster version 1.34")
		out, err := e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.35")})
		must(t, err)
		inProgress(out.Update, ekstypes.UpdateTypeVersionUpdate)
		if c := describe(); aws.ToString(c.Version) != "1.34" || c.Status != ekstypes.ClusterStatusUpdating {
			t.Fatalf("during the upgrade: %s %s, want 1.34 UPDATING", aws.ToString(c.Version), c.Status)
		}
		succeeded(out.Update, "")
		if c := describe(); aws.ToString(c.Version) != "1.35" || c.Status != ekstypes.ClusterStatusActive {
			t.Fatalf("after the upgrade: %s %s, want 1.35 ACTIVE", aws.ToString(c.Version), c.Status)
		}
		_, err = e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.36")})
		refused(err, "InvalidParameterException", "Nodegroups ng must be updated to match cluster version 1.35 before updating cluster version")
		ng, err := e.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
		must(t, err)
		inProgress(ng.Update, ekstypes.UpdateTypeVersionUpdate)
		if n := nodegroup(); n.Status != ekstypes.NodegroupStatusUpdating || aws.ToString(n.Version) != "1.34" {
			t.Fatalf("node group during its upgrade: %s %s, want UPDATING 1.34", n.Status, aws.ToString(n.Version))
		}
		_, err = e.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"),
			ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(2), MinSize: aws.Int32(1), MaxSize: aws.Int32(3)}}, noRetry)
		refused(err, "ResourceInUseException", "Cannot ConfigUpdate because nodegroup ng currently has update "+aws.ToString(ng.Update.Id)+" in progress")
		succeeded(ng.Update, "ng")
		if n := nodegroup(); n.Status != ekstypes.NodegroupStatusActive || aws.ToString(n.Version) != "1.35" {
			t.Fatalf("node group after its upgrade: %s %s, want ACTIVE 1.35", n.Status, aws.ToString(n.Version))
		}
	})

	t.Run("node group scaling: applied when Successful", func(t *testing.T) {
		out, err := e.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"),
			ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(2), MinSize: aws.Int32(1), MaxSize: aws.Int32(3)}})
		must(t, err)
		inProgress(out.Update, ekstypes.UpdateTypeConfigUpdate)
		if n := nodegroup(); aws.ToInt32(n.ScalingConfig.DesiredSize) != 1 {
			t.Fatalf("desired size %d during the update, want still 1", aws.ToInt32(n.ScalingConfig.DesiredSize))
		}
		succeeded(out.Update, "ng")
		if n := nodegroup(); aws.ToInt32(n.ScalingConfig.DesiredSize) != 2 {
			t.Fatalf("desired size %d after the update, want 2", aws.ToInt32(n.ScalingConfig.DesiredSize))
		}
		list, err := e.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String(name), NodegroupName: aws.String("ng")})
		must(t, err)
		if len(list.UpdateIds) != 2 {
			t.Fatalf("node group updates %v, want its version and config updates", list.UpdateIds)
		}
	})

	t.Run("a failed update: Failed with EKS's errors, nothing changed", func(t *testing.T) {
		env.Server.Shaper.Set(shaping.Config{UpdateFailRate: 1, NodegroupUpdate: shaping.Duration{Duration: 300 * time.Millisecond}})
		defer env.Server.Shaper.Set(shaping.Config{})
		out, err := e.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"),
			ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(3), MinSize: aws.Int32(1), MaxSize: aws.Int32(3)}})
		must(t, err)
		eventually(t, 10*time.Second, "the update Failed", func() error {
			d, err := e.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(name), NodegroupName: aws.String("ng"), UpdateId: out.Update.Id})
			if err != nil {
				return err
			}
			if d.Update.Status != ekstypes.UpdateStatusFailed || len(d.Update.Errors) != 1 || len(d.Update.Errors[0].ResourceIds) != 1 {
				return fmt.Errorf("update %s errors %+v", d.Update.Status, d.Update.Errors)
			}
			return nil
		})
		if n := nodegroup(); aws.ToInt32(n.ScalingConfig.DesiredSize) != 2 || n.Status != ekstypes.NodegroupStatusActive {
			t.Fatalf("after a failed update: %s, desired size %d, want ACTIVE and still 2", n.Status, aws.ToInt32(n.ScalingConfig.DesiredSize))
		}
	})

	t.Run("a retried update with its clientRequestToken gets the first answer, not ResourceInUseException", func(t *testing.T) {
		in := &eks.UpdateClusterVersionInput{Name: aws.String(name), Version: aws.String("1.36"), ClientRequestToken: aws.String("upgrade-136")}
		first, err := e.UpdateClusterVersion(ctx, in)
		must(t, err)
		again, err := e.UpdateClusterVersion(ctx, in)
		must(t, err)
		if aws.ToString(again.Update.Id) != aws.ToString(first.Update.Id) {
			t.Fatalf("retry answered update %s, want the first, %s", aws.ToString(again.Update.Id), aws.ToString(first.Update.Id))
		}
		succeeded(first.Update, "")
	})
}
