# One object, as <cluster>/<apiVersion>/<kind>/<namespace>/<name> (an empty namespace for cluster-scoped objects).
terraform import fargate_manifest.service terrax-fargate/apps/v1/Deployment/tb-demo/springboot-deployment
