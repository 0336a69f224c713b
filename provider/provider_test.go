package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

const smallCluster = `
resource "fargate_cluster" "c" {
  name    = %q
  network = { vpc_cidr = "10.9.0.0/16" }
  tags    = { team = "brewers" }
}`

// Without credentials the plan stops with one clear error, not a stack trace.
func TestAccProvider_missingCredentials(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "none")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_CONFIG_FILE", empty)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderBlock + fmt.Sprintf(smallCluster, "nocreds"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot use AWS.*no valid AWS credentials found: set\s+AWS_ACCESS_KEY_ID`),
		}},
	})
}

// A profile that does not exist is named in the error.
func TestAccProvider_unknownProfile(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderBlock + `provider "fargate" { profile = "no-such-profile" }` + fmt.Sprintf(smallCluster, "noprofile"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot use AWS.*no-such-profile`),
		}},
	})
}

// taggedConfig is a cluster and a fargate_profile of it, with the
// provider's default_tags owner = owner.
func taggedConfig(name, owner string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
provider "fargate" {
  region = "eu-west-1"
  endpoints { url = %q }
  default_tags { tags = { owner = %q, team = "default-team" } }
}
resource "fargate_cluster" "c" {
  name                       = %q
  network                    = { vpc_cidr = "10.9.0.0/16" }
  tags                       = { team = "brewers" }
  exclusive_fargate_profiles = false
}
resource "fargate_profile" "p" {
  cluster   = fargate_cluster.c.name
  name      = "fp-team"
  selectors = [{ namespace = "team" }]
  tags      = { team = "a" }
}`, acctest.LocalEKSURL, owner, name)
}

// profileTags checks the tags EKS has on the profile.
func profileTags(c *conns.Client, cluster string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fp, err := c.EKS.DescribeFargateProfile(context.Background(), &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String("fp-team")})
		if err != nil {
			return err
		}
		for k, v := range want {
			if fp.FargateProfile.Tags[k] != v {
				return fmt.Errorf("profile tags %v: want %s = %s", fp.FargateProfile.Tags, k, v)
			}
		}
		return nil
	}
}

// The provider block's endpoint wins over AWS_ENDPOINT_URL, and
// default_tags reach the cluster, the roles it creates and a
// fargate_profile, whose tags_all say so, and follow a change of them.
func TestAccProvider_endpointsAndDefaultTags(t *testing.T) {
	c := clientAt(t, acctest.LocalEKSURL)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens there
	name := "tagged"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: taggedConfig(name, "platform"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("fargate_profile.p", "tags_all.%", "2"),
				resource.TestCheckResourceAttr("fargate_profile.p", "tags_all.owner", "platform"),
				resource.TestCheckResourceAttr("fargate_profile.p", "tags_all.team", "a"),
				resource.TestCheckResourceAttr("fargate_profile.p", "tags.%", "1"),
				profileTags(c, name, map[string]string{"owner": "platform", "team": "a"}),
				resource.TestCheckResourceAttr("fargate_cluster.c", "tags_all.%", "2"),
				resource.TestCheckResourceAttr("fargate_cluster.c", "tags_all.owner", "platform"),
				resource.TestCheckResourceAttr("fargate_cluster.c", "tags_all.team", "brewers"),
				resource.TestCheckResourceAttr("fargate_cluster.c", "tags.%", "1"),
				func(*terraform.State) error {
					ctx := context.Background()
					cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
					if err != nil {
						return err
					}
					if cl.Cluster.Tags["owner"] != "platform" || cl.Cluster.Tags["team"] != "brewers" {
						return fmt.Errorf("cluster tags %v: want the default owner tag and the resource's team tag", cl.Cluster.Tags)
					}
					role := aws.ToString(cl.Cluster.RoleArn)
					tags, err := c.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(role[strings.LastIndex(role, "/")+1:])})
					if err != nil {
						return err
					}
					found := false
					for _, tg := range tags.Tags {
						found = found || (aws.ToString(tg.Key) == "owner" && aws.ToString(tg.Value) == "platform")
					}
					if !found {
						return fmt.Errorf("the cluster role lacks the default tag: %v", tags.Tags)
					}
					return nil
				},
			),
		}, {
			// A new default tag value: the plan shows it in tags_all, the
			// apply retags the profile.
			Config: taggedConfig(name, "platform-2"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("fargate_profile.p", tfjsonpath.New("tags_all").AtMapKey("owner"), knownvalue.StringExact("platform-2")),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("fargate_profile.p", "tags_all.owner", "platform-2"),
				resource.TestCheckResourceAttr("fargate_profile.p", "tags.%", "1"),
				profileTags(c, name, map[string]string{"owner": "platform-2", "team": "a"}),
			),
		}},
	})
}

func clientAt(t *testing.T, url string) *conns.Client {
	t.Helper()
	acctest.Client(t) // skips without moto
	c, err := conns.New(context.Background(), conns.Config{Region: acctest.Region, Endpoints: conns.Endpoints{URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assume_role makes the provider act as the assumed role.
func TestAccProvider_assumeRole(t *testing.T) {
	acctest.Client(t) // skips without moto
	c, err := conns.New(context.Background(), conns.Config{
		Region:     acctest.Region,
		AssumeRole: &conns.AssumeRole{RoleARN: "arn:aws:iam::123456789012:role/deployer", SessionName: "terraform-fargate"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.CallerARN, "assumed-role/deployer/terraform-fargate") {
		t.Fatalf("caller is %s, want the assumed role's session", c.CallerARN)
	}
	if c.AccountID != "123456789012" || c.Partition != "aws" {
		t.Fatalf("account %s partition %s", c.AccountID, c.Partition)
	}
}
