# The kubernetes provider (the helm provider's kubernetes block takes the
# same three) configured from the ephemeral resource: the token reaches the
# provider and nothing else.
provider "kubernetes" {
  host                   = ephemeral.fargate_cluster_auth.terrax.endpoint
  cluster_ca_certificate = base64decode(ephemeral.fargate_cluster_auth.terrax.certificate_authority_data)
  token                  = ephemeral.fargate_cluster_auth.terrax.token
}
