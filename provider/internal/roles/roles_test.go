package roles

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// The IRSA trust lets exactly one service account of the cluster assume
// the role, with a token of its OIDC issuer meant for STS (the EKS user
// guide's "Assign IAM roles to Kubernetes service accounts").
func TestIRSATrust(t *testing.T) {
	const (
		issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
		oidc   = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
		host   = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	)
	var got map[string]any
	if err := json.Unmarshal([]byte(IRSATrust(oidc, issuer, "kube-system", "ebs-csi-controller-sa")), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": oidc},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{
				host + ":sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
				host + ":aud": "sts.amazonaws.com",
			}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("IRSA trust:\n got %v\nwant %v", got, want)
	}
}

// The EBS CSI role made for Pod Identity trusts the Pod Identity agent's
// principal with both actions EKS requires, and carries AWS's policy.
func TestEBSCSIKind(t *testing.T) {
	if EBSCSI.service != "pods.eks.amazonaws.com" || !reflect.DeepEqual(EBSCSI.actions, []string{"sts:AssumeRole", "sts:TagSession"}) ||
		!reflect.DeepEqual(EBSCSI.policies, []string{"service-role/AmazonEBSCSIDriverPolicy"}) {
		t.Fatalf("EBS CSI role kind: %+v", EBSCSI)
	}
}

// Every message EKS gives for a role IAM has not propagated yet is retried;
// other refusals are not.
func TestPropagating(t *testing.T) {
	invalid := func(msg string) error { return &ekstypes.InvalidParameterException{Message: aws.String(msg)} }
	for msg, want := range map[string]bool{
		"Role with arn: arn:aws:iam::123456789012:role/c, could not be assumed because it does not exist or the trusted entity is not correct": true,
		"The role with name n cannot be found.": true,
		"Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal": true,
		"Role provided in the request does not exist":                                                                  true,
		"User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: iam:PassRole on role n":          true,
		"The provided role doesn't have the Amazon EKS Managed Policies associated with it.":                           true,
		"Subnet subnet-1 provided in Fargate Profile is not a private subnet":                                          false,
		"Requested Nodegroup version 1.34 is invalid":                                                                  false,
	} {
		if got := Propagating(invalid(msg)); got != want {
			t.Errorf("Propagating(%q) = %v, want %v", msg, got, want)
		}
	}
	if Propagating(&ekstypes.ResourceInUseException{Message: aws.String("role could not be assumed")}) {
		t.Error("a ResourceInUseException is not IAM propagation")
	}
}
