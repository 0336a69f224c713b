// Package launchtemplate owns the EC2 launch template the resource makes
// for each node group, so its nodes are hardened as a security review
// expects: IMDSv2 required with a hop limit of 2 (pods on the node reach
// the instance metadata only through the node's own hop; EKS user guide
// "Customize managed nodes with launch templates"), and an encrypted gp3
// root volume of the node group's disk size. A change makes a new version
// of the template, which the node group then rolls onto in place.
package launchtemplate

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Settings of every template the resource makes.
const (
	HopLimit   = 2
	VolumeType = ec2types.VolumeTypeGp3
	// RootDevice is the root device of the EKS-optimized Amazon Linux AMIs.
	RootDevice = "/dev/xvda"
	// DefaultDiskSize is EKS's default root volume of a node group, in GiB.
	DefaultDiskSize = 20
)

// Template is a launch template version a node group runs.
type Template struct {
	ID, Version string
	DiskSize    int64
}

// Templates are the launch templates of one cluster's node groups.
type Templates struct {
	c     *conns.Client
	owner owned.Owner
}

// New returns the launch templates of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Templates { return &Templates{c: c, owner: owner} }

// Name is the template of node group ng: "eks-<cluster>-<node group>"
// (templates are regional, as clusters are).
func (t *Templates) Name(ng string) string { return "eks-" + t.owner.Cluster + "-" + ng }

func data(diskSize int64) *ec2types.RequestLaunchTemplateData {
	if diskSize == 0 {
		diskSize = DefaultDiskSize
	}
	return &ec2types.RequestLaunchTemplateData{
		MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
			HttpEndpoint:            ec2types.LaunchTemplateInstanceMetadataEndpointStateEnabled,
			HttpTokens:              ec2types.LaunchTemplateHttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(HopLimit),
		},
		BlockDeviceMappings: []ec2types.LaunchTemplateBlockDeviceMappingRequest{{
			DeviceName: aws.String(RootDevice),
			Ebs: &ec2types.LaunchTemplateEbsBlockDeviceRequest{
				VolumeSize: aws.Int32(int32(diskSize)), VolumeType: VolumeType, Encrypted: aws.Bool(true), DeleteOnTermination: aws.Bool(true),
			},
		}},
	}
}

// Ensure makes node group ng's template, or, when the one an earlier apply
// made has another disk size, a new version of it; it returns the version
// to run.
func (t *Templates) Ensure(ctx context.Context, ng string, diskSize int64) (Template, error) {
	if diskSize == 0 {
		diskSize = DefaultDiskSize
	}
	name := t.Name(ng)
	cur, err := t.Find(ctx, ng, "$Latest")
	switch {
	case apierr.NotFound(err):
		out, err := t.c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
			LaunchTemplateName: aws.String(name),
			LaunchTemplateData: data(diskSize),
			VersionDescription: aws.String(fmt.Sprintf("node group %s of EKS cluster %s", ng, t.owner.Cluster)),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate,
				Tags: ec2Tags(t.owner.TagsWith(nil))}},
		})
		if err != nil {
			return Template{}, fmt.Errorf("creating launch template %s for node group %q: %w", name, ng, err)
		}
		lt := out.LaunchTemplate
		return Template{ID: aws.ToString(lt.LaunchTemplateId), Version: strconv.FormatInt(aws.ToInt64(lt.LatestVersionNumber), 10), DiskSize: diskSize}, nil
	case err != nil:
		return Template{}, err
	case cur.DiskSize == diskSize:
		return cur, nil
	}
	out, err := t.c.EC2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(cur.ID), LaunchTemplateData: data(diskSize),
		VersionDescription: aws.String(fmt.Sprintf("root volume %d GiB", diskSize)),
	})
	if err != nil {
		return Template{}, fmt.Errorf("making a new version of launch template %s (disk size %d GiB): %w", name, diskSize, err)
	}
	return Template{ID: cur.ID, Version: strconv.FormatInt(aws.ToInt64(out.LaunchTemplateVersion.VersionNumber), 10), DiskSize: diskSize}, nil
}

// Find reads version ("$Latest", or a number) of node group ng's template,
// when the resource made it; *apierr.NotFoundError otherwise.
func (t *Templates) Find(ctx context.Context, ng, version string) (Template, error) {
	name := t.Name(ng)
	out, err := t.c.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateName: aws.String(name), Versions: []string{version},
	})
	if apierr.ErrCodeEquals(err, "InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.VersionNotFound") {
		return Template{}, &apierr.NotFoundError{What: "launch template " + name, Cause: err}
	}
	if err != nil {
		return Template{}, fmt.Errorf("reading launch template %s: %w", name, err)
	}
	if len(out.LaunchTemplateVersions) == 0 {
		return Template{}, &apierr.NotFoundError{What: "launch template " + name}
	}
	v := out.LaunchTemplateVersions[0]
	if !t.owns(ctx, aws.ToString(v.LaunchTemplateId)) {
		return Template{}, &apierr.NotFoundError{What: "launch template " + name + " made by this resource"}
	}
	tpl := Template{ID: aws.ToString(v.LaunchTemplateId), Version: strconv.FormatInt(aws.ToInt64(v.VersionNumber), 10)}
	if d := v.LaunchTemplateData; d != nil {
		for _, b := range d.BlockDeviceMappings {
			if aws.ToString(b.DeviceName) == RootDevice && b.Ebs != nil {
				tpl.DiskSize = int64(aws.ToInt32(b.Ebs.VolumeSize))
			}
		}
	}
	return tpl, nil
}

// Delete deletes node group ng's template, when the resource made it.
func (t *Templates) Delete(ctx context.Context, ng string) error {
	tpl, err := t.Find(ctx, ng, "$Latest")
	if apierr.NotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = t.c.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(tpl.ID)})
	if err != nil && !apierr.ErrCodeEquals(err, "InvalidLaunchTemplateId.NotFound") {
		return fmt.Errorf("deleting launch template %s: %w", t.Name(ng), err)
	}
	return nil
}

func (t *Templates) owns(ctx context.Context, id string) bool {
	out, err := t.c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil || len(out.LaunchTemplates) == 0 {
		return false
	}
	for _, tag := range out.LaunchTemplates[0].Tags {
		if aws.ToString(tag.Key) == owned.Tag {
			return aws.ToString(tag.Value) == t.owner.Value()
		}
	}
	return false
}

func ec2Tags(m map[string]string) []ec2types.Tag {
	var out []ec2types.Tag
	for k, v := range m {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// UpdateTags sets and removes tags of templates ids.
func (t *Templates) UpdateTags(ctx context.Context, ids []string, set map[string]string, remove []string) error {
	if len(ids) == 0 {
		return nil
	}
	if len(remove) > 0 {
		var tags []ec2types.Tag
		for _, k := range remove {
			tags = append(tags, ec2types.Tag{Key: aws.String(k)})
		}
		if _, err := t.c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: tags}); err != nil {
			return fmt.Errorf("untagging launch templates %v: %w", ids, err)
		}
	}
	if len(set) > 0 {
		if _, err := t.c.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: ec2Tags(set)}); err != nil {
			return fmt.Errorf("tagging launch templates %v: %w", ids, err)
		}
	}
	return nil
}

// DeleteAll deletes every template carrying the cluster's owner tag: what
// an interrupted apply made for a node group that never came to be.
func (t *Templates) DeleteAll(ctx context.Context) error {
	p := ec2.NewDescribeLaunchTemplatesPaginator(t.c.EC2, &ec2.DescribeLaunchTemplatesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + owned.Tag), Values: []string{t.owner.Value()}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the launch templates of cluster %s: %w", t.owner.Value(), err)
		}
		for _, lt := range page.LaunchTemplates {
			_, err := t.c.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: lt.LaunchTemplateId})
			if err != nil && !apierr.ErrCodeEquals(err, "InvalidLaunchTemplateId.NotFound") {
				return fmt.Errorf("deleting launch template %s: %w", aws.ToString(lt.LaunchTemplateName), err)
			}
		}
	}
	return nil
}
