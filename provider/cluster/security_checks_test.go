package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// checkFargateLogging: the aws-observability namespace and aws-logging
// ConfigMap (EKS user guide, "Fargate logging"), and the pod execution
// role allowed to write the logs.
func checkFargateLogging(t *testing.T, c *conns.Client, name string) error {
	ctx := context.Background()
	kc := acctest.Kube(t, name).Kube
	ns, err := kc.CoreV1().Namespaces().Get(ctx, "aws-observability", metav1.GetOptions{})
	if err != nil || ns.Labels["aws-observability"] != "enabled" {
		return fmt.Errorf("namespace aws-observability: %v (labels %v), want it labelled aws-observability: enabled", err, ns.GetLabels())
	}
	cm, err := kc.CoreV1().ConfigMaps("aws-observability").Get(ctx, "aws-logging", metav1.GetOptions{})
	if err != nil || !strings.Contains(cm.Data["output.conf"], "log_group_name /aws/eks/"+name+"/fargate") ||
		!strings.Contains(cm.Data["output.conf"], "Name cloudwatch_logs") {
		return fmt.Errorf("ConfigMap aws-logging: %v %v, want a cloudwatch_logs output to /aws/eks/%s/fargate", err, cm.Data, name)
	}
	fp, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("apps")})
	if err != nil {
		return err
	}
	role := aws.ToString(fp.FargateProfile.PodExecutionRoleArn)
	pol, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role[strings.LastIndex(role, "/")+1:]), PolicyName: aws.String("fargate-logging")})
	if err != nil {
		return fmt.Errorf("the Fargate logging policy of %s: %w", role, err)
	}
	for _, a := range []string{"logs:CreateLogStream", "logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy"} {
		if !strings.Contains(aws.ToString(pol.PolicyDocument), a) && !strings.Contains(aws.ToString(pol.PolicyDocument), strings.ReplaceAll(a, ":", "%3A")) {
			return fmt.Errorf("the pod execution role's policy %s lacks %s", aws.ToString(pol.PolicyDocument), a)
		}
	}
	return nil
}
