# Endpoint, CA and a short-lived token of an EKS cluster, for tools that
# take them (another provider, a kubeconfig). fargate_manifest needs none
# of this: it authenticates by itself.
data "fargate_cluster_auth" "terrax" {
  name = "terrax-fargate"
}

output "kubeconfig_server" {
  value = data.fargate_cluster_auth.terrax.endpoint
}
