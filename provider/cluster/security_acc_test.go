package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// Control plane logs, Secrets encryption, Fargate logging and node group
// hardening on one cluster, read back through the EKS, CloudWatch Logs,
// KMS, IAM, EC2 and Kubernetes APIs.

const securityAddr = "fargate_cluster.security"

// securityWant is what one step of the test configures.
type securityWant struct {
	logTypes           []string
	retention, disk    int
	fargateRetention   int
	taintKey, effect   string
	encryption         string // the HCL line of encryption
	maxUnavailablePart string
	team               string // the tags' team, on everything made
}

func securityConfig(name string, w securityWant) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "security" {
  name               = %q
  network            = { vpc_cidr = "10.71.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  enabled_log_types  = [%s]
  log_retention_days = %d
  %s
  fargate_logging    = { retention_days = %d }
  tags               = { team = %q }
  fargate_profiles   = { apps = { selectors = [{ namespace = "apps" }, { namespace = "kube-system" }] } } # CoreDNS runs on Fargate
  node_groups = {
    ng = {
      instance_types = ["t3.medium"]
      desired_size = 1
      min_size     = 1
      max_size     = 2
      disk_size    = %d
      taints        = [{ key = %q, value = "true", effect = %q }]
      update_config = { %s }
    }
  }
}
`, name, quoted(w.logTypes), w.retention, w.encryption, w.fargateRetention, w.team, w.disk, w.taintKey, w.effect, w.maxUnavailablePart)
}

func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// checkSecurity reads every setting of w back from AWS and Kubernetes.
func checkSecurity(t *testing.T, c *conns.Client, name string, w securityWant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		var on []string
		for _, s := range cl.Cluster.Logging.ClusterLogging {
			for _, typ := range s.Types {
				if aws.ToBool(s.Enabled) {
					on = append(on, string(typ))
				}
			}
		}
		slices.Sort(on)
		if !slices.Equal(on, w.logTypes) {
			return fmt.Errorf("EKS logs %v of cluster %s, want %v", on, name, w.logTypes)
		}
		if err := checkLogGroup(c, "/aws/eks/"+name+"/cluster", w.retention, name, w.team); err != nil {
			return err
		}
		if err := checkLogGroup(c, "/aws/eks/"+name+"/fargate", w.fargateRetention, name, w.team); err != nil {
			return err
		}
		if err := checkKey(c, name, cl.Cluster.EncryptionConfig, w.team); err != nil {
			return err
		}
		if err := checkNodegroupHardening(t, c, name, w); err != nil {
			return err
		}
		return checkFargateLogging(t, c, name)
	}
}

func checkLogGroup(c *conns.Client, group string, retention int, cluster string, team ...string) error {
	out, err := c.Logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
	if err != nil {
		return err
	}
	if len(out.LogGroups) != 1 || aws.ToInt32(out.LogGroups[0].RetentionInDays) != int32(retention) {
		return fmt.Errorf("log group %s: %+v, want one with a retention of %d days", group, out.LogGroups, retention)
	}
	//nolint:staticcheck // the name is what the test knows
	tags, err := c.Logs.ListTagsLogGroup(context.Background(), &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(group)})
	if err != nil {
		return err
	}
	if tags.Tags[acctest.OwnerTag] != acctest.Region+"/"+cluster || (len(team) > 0 && tags.Tags["team"] != team[0]) {
		return fmt.Errorf("log group %s has tags %v, want the owner tag", group, tags.Tags)
	}
	return nil
}

// checkKey: the cluster's Secrets are encrypted with the key behind
// alias/eks/<name>, which rotates.
func checkKey(c *conns.Client, name string, enc []ekstypes.EncryptionConfig, team string) error {
	ctx := context.Background()
	key, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/eks/" + name)})
	if err != nil {
		return fmt.Errorf("the key alias/eks/%s: %w", name, err)
	}
	if len(enc) != 1 || enc[0].Provider == nil || aws.ToString(enc[0].Provider.KeyArn) != aws.ToString(key.KeyMetadata.Arn) {
		return fmt.Errorf("cluster %s encryption %+v, want the Secrets encrypted with %s", name, enc, aws.ToString(key.KeyMetadata.Arn))
	}
	rot, err := c.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: key.KeyMetadata.KeyId})
	if err != nil || !rot.KeyRotationEnabled {
		return fmt.Errorf("key %s rotation: %+v (%v), want on", aws.ToString(key.KeyMetadata.Arn), rot, err)
	}
	tags, err := c.KMS.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyMetadata.KeyId})
	if err != nil || !slices.ContainsFunc(tags.Tags, func(t kmstypes.Tag) bool { return aws.ToString(t.TagKey) == "team" && aws.ToString(t.TagValue) == team }) {
		return fmt.Errorf("key %s tags %+v (%v), want team = %s", aws.ToString(key.KeyMetadata.Arn), tags, err, team)
	}
	return nil
}

// checkNodegroupHardening: the node group runs the provider's launch
// template (IMDSv2 required, hop limit 2, encrypted gp3 root volume of the
// disk size), carries the taint, and its node in Kubernetes does too.
func checkNodegroupHardening(t *testing.T, c *conns.Client, name string, w securityWant) error {
	ctx := context.Background()
	ng, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
	if err != nil {
		return err
	}
	n := ng.Nodegroup
	if len(n.Taints) != 1 || aws.ToString(n.Taints[0].Key) != w.taintKey || string(n.Taints[0].Effect) != w.effect {
		return fmt.Errorf("node group taints %+v, want %s:%s", n.Taints, w.taintKey, w.effect)
	}
	if n.UpdateConfig == nil || (aws.ToInt32(n.UpdateConfig.MaxUnavailable) == 0 && aws.ToInt32(n.UpdateConfig.MaxUnavailablePercentage) == 0) {
		return fmt.Errorf("node group update config %+v, want %s", n.UpdateConfig, w.maxUnavailablePart)
	}
	if n.LaunchTemplate == nil || n.DiskSize != nil {
		return fmt.Errorf("node group launch template %+v, disk size %v: want a launch template and no disk size of EKS's", n.LaunchTemplate, n.DiskSize)
	}
	v, err := c.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: n.LaunchTemplate.Id, Versions: []string{aws.ToString(n.LaunchTemplate.Version)}})
	if err != nil {
		return err
	}
	// DescribeTags: moto's DescribeLaunchTemplates shows a template's tags as
	// they were at its creation.
	tags, err := c.EC2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("resource-id"), Values: []string{aws.ToString(n.LaunchTemplate.Id)}}, {Name: aws.String("key"), Values: []string{"team"}}}})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != w.team {
		return fmt.Errorf("launch template %s tags %+v (%v), want team = %s", aws.ToString(n.LaunchTemplate.Id), tags, err, w.team)
	}
	d := v.LaunchTemplateVersions[0].LaunchTemplateData
	md, bd := d.MetadataOptions, d.BlockDeviceMappings
	if md == nil || md.HttpTokens != "required" || aws.ToInt32(md.HttpPutResponseHopLimit) != 2 || len(bd) != 1 || bd[0].Ebs == nil ||
		!aws.ToBool(bd[0].Ebs.Encrypted) || bd[0].Ebs.VolumeType != "gp3" || aws.ToInt32(bd[0].Ebs.VolumeSize) != int32(w.disk) {
		return fmt.Errorf("launch template %s version %s: metadata %+v, block devices %+v; want IMDSv2 required, hop limit 2, an encrypted gp3 root volume of %d GiB",
			aws.ToString(n.LaunchTemplate.Id), aws.ToString(n.LaunchTemplate.Version), md, bd, w.disk)
	}
	// The simulated node joins, and takes the taints, as the node group's
	// change lands: wait for it.
	kc, problem := acctest.Kube(t, name).Kube, ""
	acctest.WaitFor(60*time.Second, func() bool {
		nodes, err := kc.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup=ng"})
		switch {
		case err != nil:
			problem = err.Error()
		case len(nodes.Items) != 1:
			problem = fmt.Sprintf("%d nodes of node group ng, want 1", len(nodes.Items))
		case !slices.ContainsFunc(nodes.Items[0].Spec.Taints, func(tt corev1.Taint) bool {
			return tt.Key == w.taintKey && tt.Effect == corev1.TaintEffect(eksrules.KubernetesTaintEffect(w.effect))
		}):
			problem = fmt.Sprintf("node %s has taints %+v, want %s:%s", nodes.Items[0].Name, nodes.Items[0].Spec.Taints, w.taintKey, w.effect)
		default:
			problem = ""
		}
		return problem == ""
	})
	if problem != "" {
		return errors.New(problem)
	}
	return nil
}

// securityGone: destroy left no log group, key alias or launch template
// (the key itself stays pending deletion, as KMS requires).
func securityGone(c *conns.Client, name string) resource.TestCheckFunc {
	return securityGoneWith(c, name, "")
}

// securityGoneWith is securityGone, log group extra included.
func securityGoneWith(c *conns.Client, name, extra string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := smallGone(c, name)(s); err != nil {
			return err
		}
		left, err := acctest.TakeSecurity(c, name, extra)
		if err != nil || !left.Empty() {
			return fmt.Errorf("left in AWS after destroy of cluster %s: %s (%v)", name, left, err)
		}
		return nil
	}
}

// TestAccCluster_security applies logs, encryption, Fargate logging, taints
// and launch templates, changes what EKS changes in place, and is refused
// at plan what EKS cannot do (turning encryption off).
func TestAccCluster_security(t *testing.T) {
	c := acctest.Client(t)
	name := "sec-hardened"
	first := securityWant{logTypes: []string{"api", "audit"}, retention: 30, disk: 30, fargateRetention: 14,
		taintKey: "dedicated", effect: "NO_SCHEDULE", encryption: "secrets_encryption = true", maxUnavailablePart: "max_unavailable = 1", team: "brewers"}
	second := first
	second.logTypes, second.retention, second.disk, second.fargateRetention = []string{"api", "audit", "authenticator"}, 60, 40, 30
	second.taintKey, second.effect, second.maxUnavailablePart, second.team = "gpu", "NO_EXECUTE", "max_unavailable_percentage = 50", "roasters"
	off := second
	off.encryption = "secrets_encryption = false"
	noLogs := second
	noLogs.logTypes = nil
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             securityGone(c, name),
		Steps: []resource.TestStep{
			{
				Config: securityConfig(name, first),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSecurity(t, c, name, first),
					resource.TestMatchResourceAttr(securityAddr, "secrets_encryption_key_arn", regexp.MustCompile(`^arn:aws:kms:eu-west-1:\d{12}:key/`)),
					resource.TestCheckResourceAttr(securityAddr, "node_groups.ng.launch_template_version", "1"),
				),
			},
			{
				Config:           securityConfig(name, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(securityAddr, plancheck.ResourceActionUpdate)}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSecurity(t, c, name, second),
					resource.TestCheckResourceAttr(securityAddr, "node_groups.ng.launch_template_version", "2"),
					resource.TestCheckResourceAttr(securityAddr, "log_retention_days", "60"),
				),
			},
			{
				// An import finds the logs' retention and the key the resource made.
				ResourceName: securityAddr, ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "fargate_logging", "node_groups.ng.update_config"},
			},
			{
				Config:      securityConfig(name, off),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Secrets encryption cannot be turned off`),
			},
			{
				// No log type left: EKS logs nothing, and the group goes. And a
				// launch template an interrupted apply made for a node group
				// that never came to be: destroy deletes it too.
				PreConfig: func() {
					_, err := c.EC2.CreateLaunchTemplate(context.Background(), &ec2.CreateLaunchTemplateInput{
						LaunchTemplateName: aws.String("eks-" + name + "-never"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{},
						TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate,
							Tags: []ec2types.Tag{{Key: aws.String(acctest.OwnerTag), Value: aws.String(acctest.Region + "/" + name)}}}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: securityConfig(name, noLogs),
				Check: func(*terraform.State) error {
					cl, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(name)})
					if err != nil {
						return err
					}
					for _, l := range cl.Cluster.Logging.ClusterLogging {
						if aws.ToBool(l.Enabled) && len(l.Types) > 0 {
							return fmt.Errorf("cluster %s still logs %v", name, l.Types)
						}
					}
					left, err := acctest.TakeSecurity(c, name, "")
					if err != nil || slices.Contains(left.LogGroups, "/aws/eks/"+name+"/cluster") {
						return fmt.Errorf("log groups %v (%v): want no /aws/eks/%s/cluster", left.LogGroups, err, name)
					}
					return nil
				},
			},
		},
	})
}
