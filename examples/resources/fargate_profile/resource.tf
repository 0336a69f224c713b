# A team's profile on a cluster the platform owns (its fargate_cluster sets
# exclusive_fargate_profiles = false): the team's pods run on Fargate in the
# cluster's private subnets, with a pod execution role made for the profile.
resource "fargate_profile" "team_a" {
  cluster = "platform"
  name    = "fp-team-a"
  selectors = [
    { namespace = "team-a", labels = { app = "web" } },
  ]
  tags = { team = "a" }
}

# Its workloads name the cluster through the profile, so they are applied
# once the profile is ACTIVE, and their plan places them on Fargate.
resource "fargate_manifest" "team_a" {
  cluster  = fargate_profile.team_a.cluster
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata: {name: team-a}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: team-a}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]
    YAML
}
