terraform {
  required_providers {
    fargate = { source = "terrax/fargate" }
  }
}

locals {
  profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
  }
}

# Where EKS would run a pod: the name of the Fargate profile that selects it.
output "service_pod" {
  value = provider::fargate::placement(local.profiles, "tb-demo", { app = "service" }) # "fp-demo-service"
}

# null when no profile selects the pod: it goes to the node groups.
output "database_pod" {
  value = coalesce(provider::fargate::placement(local.profiles, "tb-demo", { app = "database" }), "node groups") # "node groups"
}
