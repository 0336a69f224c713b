package validate

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// KMSKeyARN validates the ARN of a KMS key.
func KMSKeyARN() validator.String {
	return rule{"Invalid KMS key ARN", "a KMS key ARN", eksrules.KMSKeyARN}
}

// LogGroupName validates a CloudWatch Logs group name.
func LogGroupName() validator.String {
	return rule{"Invalid log group name", "a CloudWatch Logs group name", eksrules.LogGroupName}
}

// Retention validates a CloudWatch Logs retention in days.
func Retention() validator.Int64 { return retention{} }

type retention struct{}

func (retention) Description(context.Context) string {
	return "a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, ... days)"
}
func (v retention) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (retention) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := eksrules.Retention(req.ConfigValue.ValueInt64()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid log retention", at(req.Path, msg))
	}
}

// TaintKey validates the key of a node taint (a Kubernetes label key).
func TaintKey() validator.String {
	return rule{"Invalid taint key", "a Kubernetes label key", eksrules.NodeLabelKey}
}

// TaintValue validates the value of a node taint (a Kubernetes label value).
func TaintValue() validator.String {
	return rule{"Invalid taint value", "a Kubernetes label value", eksrules.NodeLabelValue}
}
