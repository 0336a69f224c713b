// Package validate turns the rules of package eksrules into
// terraform-plugin-framework validators, so that bad input is refused at
// `terraform validate`/`plan`, with the diagnostic on the exact attribute.
package validate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// rule adapts an eksrules check to a string validator.
type rule struct {
	summary string
	desc    string
	check   func(string) string
}

func (r rule) Description(context.Context) string         { return r.desc }
func (r rule) MarkdownDescription(context.Context) string { return r.desc }

func (r rule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := r.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, r.summary, at(req.Path, msg))
	}
}

// at names the attribute in a message: Terraform points at the source line
// of a map entry but only at the resource for an attribute inside an object.
func at(p path.Path, msg string) string { return fmt.Sprintf("Attribute %s: %s", p, msg) }

// ClusterName validates an EKS cluster name.
func ClusterName() validator.String {
	return rule{"Invalid EKS cluster name", "a valid EKS cluster name", eksrules.ClusterName}
}

// NodegroupName validates a managed node group name.
func NodegroupName() validator.String {
	return rule{"Invalid node group name", "a valid EKS node group name", eksrules.NodegroupName}
}

// FargateProfileName validates a Fargate profile name.
func FargateProfileName() validator.String {
	return rule{"Invalid Fargate profile name", "a valid Fargate profile name not starting with eks-", eksrules.FargateProfileName}
}

// KubernetesVersion validates a Kubernetes version: an error when EKS does
// not offer it, a warning when it is newer than this provider knows (EKS may
// offer it already, and refuses it at apply if not).
func KubernetesVersion() validator.String {
	return warningRule{rule{"Unsupported Kubernetes version", "a Kubernetes version EKS offers", eksrules.KubernetesVersion},
		"Kubernetes version not known to this provider", eksrules.NewerKubernetesVersion}
}

// warningRule is a rule with a second check whose findings are warnings.
type warningRule struct {
	rule
	warnSummary string
	warn        func(string) string
}

func (r warningRule) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	r.rule.ValidateString(ctx, req, resp)
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := r.warn(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, r.warnSummary, at(req.Path, msg))
	}
}

// SelectorNamespace validates a Fargate selector namespace.
func SelectorNamespace() validator.String {
	return rule{"Invalid Fargate selector namespace", "a Kubernetes namespace, wildcards * and ? allowed", eksrules.SelectorNamespace}
}

// VPCCIDR validates the CIDR block of a VPC the provider creates.
func VPCCIDR() validator.String {
	return rule{"Invalid VPC CIDR block", "an IPv4 CIDR block from /16 to /24", eksrules.VPCCIDR}
}

// IPv4CIDR validates an IPv4 CIDR block.
func IPv4CIDR() validator.String {
	return rule{"Invalid CIDR block", "an IPv4 CIDR block", eksrules.IPv4CIDR}
}

// RoleARN validates an IAM role ARN.
func RoleARN() validator.String {
	return rule{"Invalid IAM role ARN", "an IAM role ARN", eksrules.RoleARN}
}

// Labels validates a map of Kubernetes labels (keys and values) as Fargate
// selectors take them: wildcards allowed.
func Labels() validator.Map {
	return labelsValidator{"valid Kubernetes labels", eksrules.LabelKey, eksrules.LabelValue}
}

// NodeLabels validates the Kubernetes labels of a node group: no wildcards.
func NodeLabels() validator.Map {
	return labelsValidator{"valid Kubernetes labels without * or ?", eksrules.NodeLabelKey, eksrules.NodeLabelValue}
}

type labelsValidator struct {
	desc       string
	key, value func(string) string
}

func (l labelsValidator) Description(context.Context) string { return l.desc }
func (l labelsValidator) MarkdownDescription(ctx context.Context) string {
	return l.Description(ctx)
}

func (l labelsValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k, v := range req.ConfigValue.Elements() {
		p := req.Path.AtMapKey(k)
		if msg := l.key(k); msg != "" {
			resp.Diagnostics.AddAttributeError(p, "Invalid label key", at(p, msg))
		}
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			if msg := l.value(s.ValueString()); msg != "" {
				resp.Diagnostics.AddAttributeError(p, "Invalid label value", at(p, msg))
			}
		}
	}
}

// Tags validates a map of AWS tags.
func Tags() []validator.Map {
	return []validator.Map{
		mapvalidator.SizeAtMost(eksrules.MaxTags),
		mapvalidator.KeysAre(rule{"Invalid tag key", "an AWS tag key", eksrules.TagKey}),
		mapvalidator.ValueStringsAre(rule{"Invalid tag value", "an AWS tag value", eksrules.TagValue}),
	}
}

// FargateProfiles refuses more Fargate profiles than EKS allows a cluster.
func FargateProfiles() validator.Map { return profileCount{} }

type profileCount struct{}

func (profileCount) Description(context.Context) string {
	return fmt.Sprintf("at most %d Fargate profiles", eksrules.MaxProfilesPerCluster)
}
func (p profileCount) MarkdownDescription(ctx context.Context) string { return p.Description(ctx) }

func (profileCount) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := eksrules.ProfileCount(len(req.ConfigValue.Elements())); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Too many Fargate profiles", at(req.Path, msg))
	}
}

// DesiredSize validates a node group's desired_size against its sibling
// min_size and max_size, reporting on desired_size (or the bound at fault).
func DesiredSize() validator.Int64 { return scalingValidator{} }

type scalingValidator struct{}

func (scalingValidator) Description(context.Context) string {
	return "min_size <= desired_size <= max_size"
}
func (v scalingValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (scalingValidator) ValidateInt64(ctx context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var min, max types.Int64
	parent := req.Path.ParentPath()
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, parent.AtName("min_size"), &min)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, parent.AtName("max_size"), &max)...)
	if resp.Diagnostics.HasError() || min.IsNull() || min.IsUnknown() || max.IsNull() || max.IsUnknown() {
		return
	}
	if msg := eksrules.Scaling(req.ConfigValue.ValueInt64(), min.ValueInt64(), max.ValueInt64()); msg != "" {
		where := req.Path
		switch {
		case min.ValueInt64() < 0:
			where = parent.AtName("min_size")
		case max.ValueInt64() < 1 || min.ValueInt64() > max.ValueInt64():
			where = parent.AtName("max_size")
		}
		resp.Diagnostics.AddAttributeError(where, "Invalid node group scaling", at(where, msg))
	}
}

// ExactlyOneOf validates that an object sets exactly one of the named
// attributes, saying what each is for.
func ExactlyOneOf(choices map[string]string) validator.Object { return exactlyOne(choices) }

type exactlyOne map[string]string

func (e exactlyOne) Description(context.Context) string {
	return fmt.Sprintf("exactly one of %s", strings.Join(slices.Sorted(maps.Keys(e)), ", "))
}
func (e exactlyOne) MarkdownDescription(ctx context.Context) string { return e.Description(ctx) }

func (e exactlyOne) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var set, options []string
	attrs := req.ConfigValue.Attributes()
	for _, name := range slices.Sorted(maps.Keys(e)) {
		options = append(options, fmt.Sprintf("%s (%s)", req.Path.AtName(name), e[name]))
		if v, ok := attrs[name]; ok && !v.IsNull() {
			set = append(set, name)
		}
	}
	switch len(set) {
	case 1:
		return
	case 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Missing "+req.Path.String()+" setting",
			at(req.Path, "set exactly one of "+strings.Join(options, " or ")))
	default:
		resp.Diagnostics.AddAttributeError(req.Path, "Conflicting "+req.Path.String()+" settings",
			at(req.Path, fmt.Sprintf("%s are all set; set exactly one of %s", strings.Join(set, " and "), strings.Join(options, " or "))))
	}
}
