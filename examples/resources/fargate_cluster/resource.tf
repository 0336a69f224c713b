# The blog's cluster: a node group for MySQL (EBS volumes need EC2 nodes)
# and Fargate profiles for everything else. The resource also creates the
# IAM roles and a VPC with public and private subnets in three zones.
resource "fargate_cluster" "terrax" {
  name               = "terrax-fargate"
  kubernetes_version = "1.35"
  network            = { vpc_cidr = "192.168.0.0/16" }

  node_groups = {
    "node-group" = {
      instance_types = ["t2.medium"]
      desired_size   = 1
      min_size       = 1
      max_size       = 2
      # The provider makes the node group's launch template: IMDSv2
      # required (hop limit 2) and an encrypted gp3 root volume of disk_size.
      disk_size = 40
      # Pods without a matching toleration avoid these nodes when they can
      # (NO_SCHEDULE would also keep off the EBS CSI driver's controller).
      taints        = [{ key = "workload", value = "database", effect = "PREFER_NO_SCHEDULE" }]
      update_config = { max_unavailable = 1 }
    }
  }

  # EKS creates and deletes Fargate profiles one at a time; the provider
  # orders them so, and waits when another process holds the slot.
  fargate_profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
  }

  # kube-system is selected above, so CoreDNS is moved to Fargate.
  coredns_compute_type = "auto"

  # EKS's three add-ons, managed, and the EBS CSI driver EBS volumes need
  # since Kubernetes 1.23: its controller runs on the node group, with an
  # IAM role the provider makes (EKS Pod Identity).
  addons = {
    vpc-cni            = {}
    kube-proxy         = {}
    coredns            = {}
    aws-ebs-csi-driver = {}
  }

  # Control plane logs in /aws/eks/terrax-fargate/cluster (kept 90 days),
  # Kubernetes Secrets envelope-encrypted with a KMS key the provider makes
  # (alias alias/eks/terrax-fargate), and Fargate pods' logs shipped to
  # CloudWatch Logs by Fargate's built-in Fluent Bit.
  enabled_log_types  = ["api", "audit", "authenticator"]
  log_retention_days = 90
  secrets_encryption = true
  fargate_logging    = { retention_days = 30 }

  # Who may use the cluster besides its creator (EKS access entries): the
  # CI role as cluster admin, a team's role read-only in its namespace.
  authentication_mode = "API"
  access_entries = {
    ci = {
      principal_arn = "arn:aws:iam::123456789012:role/ci-deployer"
      policies      = [{ policy = "AmazonEKSClusterAdminPolicy" }]
    }
    brewers = {
      principal_arn = "arn:aws:iam::123456789012:role/brewers"
      policies      = [{ policy = "AmazonEKSViewPolicy", namespaces = ["tb-demo"] }]
    }
  }

  tags = { team = "brewers" }

  timeouts {
    create = "40m"
  }
}

output "endpoint" {
  value = fargate_cluster.terrax.endpoint
}

# For the trust policy of your own IAM roles for service accounts.
output "oidc_provider_arn" {
  value = fargate_cluster.terrax.oidc_provider_arn
}
