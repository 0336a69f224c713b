output "cluster_name" {
  description = "Name of the cluster (for more fargate_manifest resources)."
  value       = fargate_cluster.this.name
}

output "endpoint" {
  description = "Kubernetes API endpoint."
  value       = fargate_cluster.this.endpoint
}

output "placement" {
  description = "Where the app's pods run, worked out at plan time."
  value       = { for o in fargate_manifest.app.objects : o.name => o.placement if o.placement != null }
}
