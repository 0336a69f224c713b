# A reusable module: an EKS cluster with a node group, and one stateless
# app on Fargate (its own namespace, a Fargate profile selecting it, a
# Deployment and a load-balanced Service), in one apply.
terraform {
  required_providers {
    fargate = {
      source  = "terrax/fargate"
      version = "~> 0.1"
    }
  }
}

resource "fargate_cluster" "this" {
  name               = var.cluster_name
  kubernetes_version = var.kubernetes_version
  network            = { vpc_cidr = var.vpc_cidr }

  node_groups = {
    "system" = { instance_types = [var.instance_type], desired_size = var.node_count, min_size = var.node_count, max_size = var.node_count + 1 }
  }

  fargate_profiles = {
    "fp-${var.app_name}" = { selectors = [{ namespace = var.namespace, labels = { app = var.app_name } }] }
  }

  tags = var.tags
}

resource "fargate_manifest" "app" {
  cluster = fargate_cluster.this.name
  manifest = templatefile("${path.module}/app.yaml.tftpl", {
    name      = var.app_name
    namespace = var.namespace
    image     = var.image
    port      = var.port
    replicas  = var.replicas
  })
}
