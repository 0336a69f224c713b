# The blog's cluster without any EC2: no node group, so nothing runs but on
# Fargate. The database is left out (Fargate runs no EBS volume: use a
# managed database such as Amazon RDS, as the post suggests); the Spring
# Boot service is served by the AWS Load Balancer Controller, which
# registers the Fargate pods themselves (IP targets) in a Network Load
# Balancer. EKS's legacy load balancers register EC2 instances, of which
# this cluster has none.
terraform {
  required_providers {
    fargate = {
      source = "terrax/fargate"
    }
  }
}

provider "fargate" {
  region = "eu-west-1"
}

resource "fargate_cluster" "terrax" {
  name               = "terrax-fargate-only"
  kubernetes_version = "1.35"
  network            = { vpc_cidr = "192.168.0.0/16" }

  # kube-system: CoreDNS (moved to Fargate by the provider) and the load
  # balancer controller; tb-demo: the service's pods.
  fargate_profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
  }

  addons = {
    vpc-cni    = {}
    kube-proxy = {}
    coredns    = {}
  }

  # Its IAM role (trusted through the cluster's OIDC provider), CRDs,
  # webhook and Deployment, ready before the manifests are applied.
  load_balancer_controller = { enabled = true }

  tags = { team = "brewers" }
}

variable "service_replicas" {
  description = "Spring Boot pods; each gets its own Fargate node and is a target of the load balancer."
  type        = number
  default     = 2
}

# The namespace, the Spring Boot Deployment and springboot-service, an
# `external` LoadBalancer Service with IP targets.
resource "fargate_manifest" "service" {
  cluster  = fargate_cluster.terrax.name
  manifest = templatefile("${path.module}/service.yaml.tftpl", { replicas = var.service_replicas })
}

output "placement" {
  description = "Where each workload runs: fargate:<profile>."
  value       = { for o in fargate_manifest.service.objects : "${o.kind}/${o.name}" => o.placement if o.placement != null }
}

output "load_balancer_controller_role_arn" {
  description = "The IAM role the controller's service account assumes (IRSA)."
  value       = fargate_cluster.terrax.load_balancer_controller.role_arn
}
