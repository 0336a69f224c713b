package cluster_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// userKey makes a KMS key as a user would bring it; the test schedules its
// deletion at the end.
func userKey(t *testing.T, c *conns.Client) string {
	t.Helper()
	out, err := c.KMS.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("brought by " + t.Name())})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	t.Cleanup(func() {
		_, _ = c.KMS.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(arn), PendingWindowInDays: aws.Int32(7)})
	})
	return arn
}

// checkEncryptedWith: EKS reports the cluster's Secrets encrypted with key.
func checkEncryptedWith(c *conns.Client, name, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		enc := out.Cluster.EncryptionConfig
		if len(enc) != 1 || enc[0].Provider == nil || aws.ToString(enc[0].Provider.KeyArn) != key {
			return fmt.Errorf("cluster %s encryption %+v, want its Secrets encrypted with %s", name, enc, key)
		}
		return nil
	}
}

// TestAccCluster_encryptionAdded: a key the user brings is turned on for a
// cluster made without encryption, in place (AssociateEncryptionConfig);
// changing or removing it is refused at plan; destroy leaves the user's
// key alone.
func TestAccCluster_encryptionAdded(t *testing.T) {
	c := acctest.Client(t)
	name := "sec-encryption-added"
	key, other := userKey(t, c), userKey(t, c)
	with := func(line string) string {
		return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "small" {
  name    = %q
  network = { vpc_cidr = "10.73.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  %s
}
`, name, line)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(smallGone(c, name), func(*terraform.State) error {
			k, err := c.KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(key)})
			if err != nil || k.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
				return fmt.Errorf("the user's key after destroy: %+v (%v), want it Enabled, untouched", k, err)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{Config: with("")},
			{
				Config: with(fmt.Sprintf("secrets_encryption_key_arn = %q", key)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(smallAddr, plancheck.ResourceActionUpdate)}},
				Check: resource.ComposeAggregateTestCheckFunc(checkEncryptedWith(c, name, key),
					resource.TestCheckResourceAttr(smallAddr, "secrets_encryption_key_arn", key)),
			},
			{
				Config:      with(fmt.Sprintf("secrets_encryption_key_arn = %q", other)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Secrets encryption key cannot change`),
			},
			{
				Config:      with(""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Secrets encryption cannot be turned off`),
			},
		},
	})
}
