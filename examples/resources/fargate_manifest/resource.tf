resource "fargate_cluster" "terrax" {
  name    = "terrax-fargate"
  network = { vpc_cidr = "192.168.0.0/16" }
  # kube-system too: CoreDNS then runs on Fargate (with no node group, it
  # would have nowhere to run otherwise, and the plan says so).
  fargate_profiles = {
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }, { namespace = "kube-system" }] }
  }
}

# Kubernetes objects applied to the cluster in the same apply, with
# server-side apply. The plan says where each pod template will run and
# refuses what Fargate cannot run (EBS volumes, DaemonSets, host network).
resource "fargate_manifest" "service" {
  cluster  = fargate_cluster.terrax.name
  manifest = <<-EOT
    apiVersion: v1
    kind: Namespace
    metadata:
      name: tb-demo
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: springboot-deployment
      namespace: tb-demo
    spec:
      replicas: 2
      selector:
        matchLabels: { app: service }
      template:
        metadata:
          labels: { app: service }
        spec:
          containers:
            - name: service
              image: public.ecr.aws/docker/library/nginx:1.27
  EOT
}

output "placement" {
  # e.g. { "Deployment/springboot-deployment" = "fargate:fp-demo-service" }
  value = { for o in fargate_manifest.service.objects : "${o.kind}/${o.name}" => o.placement if o.placement != null }
}
