package cluster_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

const byoLoggingAddr = "fargate_cluster.byo_logging"

func byoLoggingConfig(name, role, logging string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "byo_logging" {
  name                           = %q
  network                        = { vpc_cidr = "10.72.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  fargate_pod_execution_role_arn = %q
  fargate_profiles               = { apps = { selectors = [{ namespace = "apps" }, { namespace = "kube-system" }] } } # CoreDNS runs on Fargate
  %s
}
`, name, role, logging)
}

// TestAccCluster_fargateLoggingBroughtRole: a pod execution role the user
// brings is never changed; Fargate logging names the CloudWatch Logs
// permissions it lacks, and works once the user grants them. Turned off,
// the ConfigMap and the log group go.
func TestAccCluster_fargateLoggingBroughtRole(t *testing.T) {
	c := acctest.Client(t)
	name := "sec-byo-logging"
	roleName := name + "-pods"
	role := acctest.ServiceRole(t, c, roleName, "eks-fargate-pods.amazonaws.com")
	t.Cleanup(func() {
		_, _ = c.IAM.DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("logs")})
	})
	grant := func() {
		_, err := c.IAM.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("logs"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	grantAll := func() {
		_, err := c.IAM.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("logs"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	group := "/custom/" + name
	logging := fmt.Sprintf(`fargate_logging = { log_group = %q, retention_days = 7 }`, group)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             securityGoneWith(c, name, group),
		Steps: []resource.TestStep{
			{Config: byoLoggingConfig(name, role, "")},
			{
				PreConfig:   grant, // all but logs:PutRetentionPolicy
				Config:      byoLoggingConfig(name, role, logging),
				ExpectError: regexp.MustCompile(`does not allow\s+logs:PutRetentionPolicy,\s+which Fargate logging needs`),
			},
			{
				PreConfig: grantAll,
				Config:    byoLoggingConfig(name, role, logging),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return checkLogGroup(c, group, 7, name) },
					resource.TestCheckResourceAttr(byoLoggingAddr, "fargate_logging.log_group", group),
					func(*terraform.State) error {
						cm, err := acctest.Kube(t, name).Kube.CoreV1().ConfigMaps("aws-observability").Get(context.Background(), "aws-logging", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if want := "log_group_name " + group; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(cm.Data["output.conf"]) {
							return fmt.Errorf("aws-logging output %q, want %q", cm.Data["output.conf"], want)
						}
						return nil
					},
				),
			},
			{
				Config: byoLoggingConfig(name, role, `fargate_logging = { enabled = false }`),
				Check: func(*terraform.State) error {
					left, err := acctest.TakeSecurity(c, name, group)
					if err != nil || len(left.LogGroups) != 0 {
						return fmt.Errorf("Fargate logging off: %s (%v), want no log group", left, err)
					}
					_, err = acctest.Kube(t, name).Kube.CoreV1().ConfigMaps("aws-observability").Get(context.Background(), "aws-logging", metav1.GetOptions{})
					if err == nil {
						return fmt.Errorf("ConfigMap aws-logging still exists with Fargate logging off")
					}
					return nil
				},
			},
		},
	})
}
