# An app module as an application team uses it: on a cluster the platform
# team owns (made elsewhere, with exclusive_fargate_profiles = false), it
# adds a Fargate profile for its namespace and applies its workloads (a
# Namespace, a Deployment and a Service), in one apply. Its manifest names
# the cluster through the profile, so the workloads are applied once the
# profile is ACTIVE and the plan already places them on Fargate.
terraform {
  required_providers {
    fargate = {
      source  = "terrax/fargate"
      version = "~> 0.1"
    }
  }
}

locals {
  # The pods' labels, which the profile selects: app=<namespace> unless given.
  labels = length(var.labels) > 0 ? var.labels : { app = var.namespace }
}

resource "fargate_profile" "this" {
  cluster   = var.cluster_name
  name      = "fp-${var.namespace}"
  selectors = [{ namespace = var.namespace, labels = local.labels }]
}

resource "fargate_manifest" "app" {
  cluster = fargate_profile.this.cluster
  manifest = templatefile("${path.module}/app.yaml.tftpl", {
    name      = var.namespace
    namespace = var.namespace
    labels    = jsonencode(local.labels)
    image     = var.image
    port      = var.port
    replicas  = var.replicas
  })
}
