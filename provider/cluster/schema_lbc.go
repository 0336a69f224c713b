package cluster

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
)

// lbcAttributes is the AWS Load Balancer Controller's attribute.
func lbcAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"load_balancer_controller": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "The [AWS Load Balancer Controller](https://kubernetes-sigs.github.io/aws-load-balancer-controller/), " +
				"which EKS does not install and which Services annotated `service.beta.kubernetes.io/aws-load-balancer-type: external` " +
				"(class `service.k8s.aws/nlb`) and Ingresses of class `alb` need; with `ip` targets it serves Fargate pods with no EC2 node. " +
				"The resource makes its IAM role (trusted through the cluster's IAM OIDC provider, IRSA, with the policy AWS publishes for the " +
				"version), its service account, RBAC, CRDs, IngressClass `alb`, webhook certificate and Deployment in `kube-system` " +
				"(told the cluster, VPC and region, as Fargate has no instance metadata), and waits until it is available before " +
				"the cluster is done, so `fargate_manifest` resources of the cluster can use it. Its pods need a node group, or a Fargate " +
				"profile selecting `kube-system` (with no labels, or labels `app.kubernetes.io/name` = `aws-load-balancer-controller`). " +
				"Turning it off, or destroying the cluster, first deletes the Services and Ingresses it serves (so it deletes their load " +
				"balancers) and the TargetGroupBindings made by hand (so it deregisters their targets); turning it off is refused at plan " +
				"while any exist. Needs `oidc_provider = true`.",
			Attributes: map[string]schema.Attribute{
				"enabled": boolDefault(true, "Whether the controller is installed. Updated in place."),
				"version": schema.StringAttribute{
					Optional: true, Computed: true, Default: stringdefault.StaticString(lbcontroller.DefaultVersion),
					MarkdownDescription: "Controller version (image `public.ecr.aws/eks/aws-load-balancer-controller:<version>`), one of " +
						strings.Join(lbcontroller.Versions, ", ") + "; defaults to " + lbcontroller.DefaultVersion + ". Updated in place.",
					Validators: []validator.String{stringvalidator.OneOf(lbcontroller.Versions...)},
				},
				"role_arn": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "ARN of the controller's IAM role, which the resource makes and deletes with the controller.",
				},
				"webhook_certificate_expires": schema.StringAttribute{
					Computed: true,
					MarkdownDescription: "When the webhook's serving certificate expires (RFC 3339). The resource makes a CA and a certificate " +
						"for `aws-load-balancer-webhook-service.kube-system.svc`; when the certificate is missing, does not match the webhook " +
						"configurations' `caBundle`, or expires within 30 days, the plan shows it changing and the apply makes a new one " +
						"(the Secret, the `caBundle`, and the controller restarted to serve it).",
				},
			},
		},
	}
}

// lbcModel is the controller's attribute of clusterModel (embedded).
type lbcModel struct {
	LoadBalancerController types.Object `tfsdk:"load_balancer_controller"`
}

type loadBalancerControllerModel struct {
	Enabled     types.Bool   `tfsdk:"enabled"`
	Version     types.String `tfsdk:"version"`
	RoleARN     types.String `tfsdk:"role_arn"`
	CertExpires types.String `tfsdk:"webhook_certificate_expires"`
}

var lbcAttrTypes = lbcAttributes()["load_balancer_controller"].GetType().(types.ObjectType).AttrTypes
