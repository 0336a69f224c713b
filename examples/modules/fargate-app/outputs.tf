output "profile" {
  description = "Name of the app's Fargate profile."
  value       = fargate_profile.this.name
}

output "placement" {
  description = "Where the app's pods run, worked out at plan time."
  value       = { for o in fargate_manifest.app.objects : o.name => o.placement if o.placement != null }
}
