package acctest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// ScaleNodegroup changes a node group's scaling outside Terraform, as a
// person would, and waits for EKS's update to succeed: EKS (and localeks)
// shows the new sizes only then.
func ScaleNodegroup(t *testing.T, c *conns.Client, cluster, nodegroup string, desired, minSize, maxSize int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	up, err := c.EKS.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(nodegroup),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(desired), MinSize: aws.Int32(minSize), MaxSize: aws.Int32(maxSize)}})
	if err != nil {
		t.Fatalf("scaling node group %s of %s by hand: %v", nodegroup, cluster, err)
	}
	err = wait.Until(ctx, wait.Fixed(200*time.Millisecond), func(ctx context.Context) (bool, error) {
		d, err := c.EKS.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(cluster), NodegroupName: aws.String(nodegroup), UpdateId: up.Update.Id})
		if err != nil {
			return false, wait.Stop(err)
		}
		return d.Update.Status == ekstypes.UpdateStatusSuccessful, nil
	})
	if err != nil {
		t.Fatalf("waiting for the scaling of node group %s of %s: %v", nodegroup, cluster, err)
	}
}
