# A platform team's cluster, shared by two application teams: one
# fargate_cluster that leaves the teams' Fargate profiles alone
# (exclusive_fargate_profiles = false), and the fargate-app module once per
# team, each adding its profile and its workloads. A team's module can as
# well live in its own configuration and state: it only names the cluster.
terraform {
  required_providers {
    fargate = {
      source  = "terrax/fargate"
      version = "~> 0.1"
    }
  }
}

provider "fargate" {
  region = "eu-west-1"
}

resource "fargate_cluster" "platform" {
  name                       = "platform"
  network                    = { vpc_cidr = "10.30.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  exclusive_fargate_profiles = false
  # CoreDNS on Fargate, through the platform's own profile.
  fargate_profiles = {
    "fp-system" = { selectors = [{ namespace = "kube-system" }] }
  }
}

module "team_a" {
  source       = "../fargate-app"
  cluster_name = fargate_cluster.platform.name
  namespace    = "team-a"
  image        = "nginx:1.27"
  port         = 80
  replicas     = 2
}

module "team_b" {
  source       = "../fargate-app"
  cluster_name = fargate_cluster.platform.name
  namespace    = "team-b"
  labels       = { app = "api", tier = "backend" }
  image        = "terrax/springboot-beer-api:1.0"
  replicas     = 1
}

output "placement" {
  value = { team_a = module.team_a.placement, team_b = module.team_b.placement }
}
