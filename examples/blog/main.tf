# The blog's EKS + Fargate cluster (eksctl's eks-terrax-fargate.yaml) as one
# resource: a node group for the stateful MySQL pod, and two Fargate
# profiles: one for the default and kube-system namespaces, one for the
# tb-demo pods labelled app=service. Unlike the post (Kubernetes 1.15), a
# current EKS makes EBS volumes only through the aws-ebs-csi-driver add-on,
# whose controller runs on the node group with an IAM role (EKS Pod
# Identity) that the provider makes.
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
  name               = "terrax-fargate"
  kubernetes_version = "1.35"
  network            = { vpc_cidr = "192.168.0.0/16" }

  node_groups = {
    "node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }
  }

  fargate_profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
  }

  addons = {
    vpc-cni            = {}
    kube-proxy         = {}
    coredns            = {}
    aws-ebs-csi-driver = {}
  }

  # What a first security review asks for: the control plane's API, audit
  # and authenticator logs, and the Fargate pods' logs, in CloudWatch Logs.
  enabled_log_types = ["api", "audit", "authenticator"]
  fargate_logging   = { retention_days = 30 }

  tags = { team = "brewers" }
}

variable "service_replicas" {
  description = "Spring Boot pods (the blog scales 2, 4, 1); each gets its own Fargate node."
  type        = number
  default     = 2
}

# The blog's kubectl apply -f database/database.yml, in the same apply.
resource "fargate_manifest" "database" {
  cluster  = fargate_cluster.terrax.name
  manifest = file("${path.module}/database.yaml")
}

# kubectl apply -f service/service.yml; the namespace comes from the database manifest.
resource "fargate_manifest" "service" {
  cluster    = fargate_cluster.terrax.name
  manifest   = templatefile("${path.module}/service.yaml.tftpl", { replicas = var.service_replicas })
  depends_on = [fargate_manifest.database]
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = fargate_cluster.terrax.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 PEM of the cluster's certificate authority."
  value       = fargate_cluster.terrax.certificate_authority_data
}

output "private_subnet_ids" {
  description = "Where Fargate pods and the node group run."
  value       = fargate_cluster.terrax.network.private_subnet_ids
}

output "placement" {
  description = "Where each workload runs: fargate:<profile> or nodegroup."
  value = {
    for o in concat(fargate_manifest.database.objects, fargate_manifest.service.objects) :
    "${o.kind}/${o.name}" => o.placement if o.placement != null
  }
}

output "fargate_profiles" {
  description = "Status of each Fargate profile."
  value       = { for name, p in fargate_cluster.terrax.fargate_profiles : name => p.status }
}
