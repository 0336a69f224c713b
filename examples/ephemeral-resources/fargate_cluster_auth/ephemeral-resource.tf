# Endpoint, CA and a short-lived token of an EKS cluster, made anew in each
# plan and apply and written to neither (Terraform 1.10 or later).
# fargate_manifest needs none of this: it authenticates by itself.
ephemeral "fargate_cluster_auth" "terrax" {
  name = "terrax-fargate"
}
