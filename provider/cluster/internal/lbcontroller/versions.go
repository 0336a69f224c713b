// Package lbcontroller installs, keeps and removes the AWS Load Balancer
// Controller in a cluster, as its documentation and Helm chart describe it
// (kubernetes-sigs/aws-load-balancer-controller, docs/deploy/installation.md
// and helm/aws-load-balancer-controller, read for behaviour; the objects are
// written here): its IAM role trusted through the cluster's IAM OIDC
// provider (IRSA, which works on Fargate where EKS Pod Identity does not),
// the policy AWS publishes for the version, its service account, RBAC,
// CRDs, IngressClass, webhook Service, certificate and Deployment, and its
// admission webhooks.
package lbcontroller

import (
	"embed"
	"fmt"
	"slices"
)

// The data under data/<version>/ is AWS's, as published at the version's
// tag of kubernetes-sigs/aws-load-balancer-controller:
//   - iam_policy.json: docs/install/iam_policy.json (the "aws" partition)
//   - crd_*.yaml: config/crd/bases/elbv2.k8s.aws_{ingressclassparams,
//     targetgroupbindings}.yaml, the CRDs the chart installs
//
// v2.17.1 is commit 3b9bdb1e3fb2ccd7190f32c665062ff2b5792543, v3.5.0 is
// 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4.
//
//go:embed data
var data embed.FS

// Versions are the controller versions the provider installs, newest last.
var Versions = []string{"v2.17.1", "v3.5.0"}

// DefaultVersion is the newest of Versions.
var DefaultVersion = Versions[len(Versions)-1]

// Image is the controller's image of version in its public registry.
func Image(version string) string {
	return "public.ecr.aws/eks/aws-load-balancer-controller:" + version
}

// Supported reports whether the provider embeds version.
func Supported(version string) bool { return slices.Contains(Versions, version) }

// Policy is the IAM policy AWS publishes for version.
func Policy(version string) (string, error) {
	b, err := data.ReadFile("data/" + version + "/iam_policy.json")
	if err != nil {
		return "", fmt.Errorf("the AWS Load Balancer Controller %s is not one this provider installs (%v)", version, Versions)
	}
	return string(b), nil
}

// crdFiles are the CRDs the controller needs, in the order applied.
var crdFiles = []string{"crd_ingressclassparams.yaml", "crd_targetgroupbindings.yaml"}
