package profile

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// The state's tags are the profile's own: the provider's default_tags are
// left out unless the configuration sets the same key itself.
func TestFlatten_tagsLeaveDefaultsOut(t *testing.T) {
	ctx := context.Background()
	r := &Resource{client: &conns.Client{DefaultTags: map[string]string{"env": "prod", "cost": "x"}}}
	fp := &ekstypes.FargateProfile{
		ClusterName: aws.String("c"), FargateProfileName: aws.String("fp"), Status: ekstypes.FargateProfileStatusActive,
		Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("team"), Labels: map[string]string{"app": "web"}}},
		Subnets:   []string{"subnet-b", "subnet-a"}, PodExecutionRoleArn: aws.String("arn:aws:iam::1:role/r"),
		Tags: map[string]string{"team": "a", "env": "prod", "cost": "y"},
	}
	own, _ := types.MapValueFrom(ctx, types.StringType, map[string]string{"team": "a", "env": "prod"})
	m := profileModel{Tags: own}
	if d := r.flatten(ctx, fp, &m); d.HasError() {
		t.Fatal(d)
	}
	var tags map[string]string
	m.Tags.ElementsAs(ctx, &tags, false)
	// env: set by the configuration too; cost: changed outside Terraform.
	if len(tags) != 3 || tags["team"] != "a" || tags["env"] != "prod" || tags["cost"] != "y" {
		t.Fatalf("tags %v", tags)
	}
	var all map[string]string
	m.TagsAll.ElementsAs(ctx, &all, false)
	if len(all) != 3 || all["cost"] != "y" {
		t.Fatalf("tags_all %v, want every tag EKS has", all)
	}
	if m.ID.ValueString() != "c:fp" || len(m.SubnetIDs.Elements()) != 2 || len(m.Selectors.Elements()) != 1 {
		t.Fatalf("flattened %+v", m)
	}
	m = profileModel{Tags: types.MapNull(types.StringType)}
	fp.Tags = map[string]string{"env": "prod"}
	r.flatten(ctx, fp, &m)
	if !m.Tags.IsNull() {
		t.Fatalf("only default tags: tags %v, want null", m.Tags)
	}
}
