terraform {
  required_providers {
    fargate = {
      source  = "terrax/fargate"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the AWS SDK's usual chain (environment, shared
# config and credentials files, SSO, instance or container roles).
provider "fargate" {
  region = "eu-west-1"

  # Optional: act as another role.
  # assume_role { role_arn = "arn:aws:iam::123456789012:role/deployer" }

  # Tags on everything the provider creates.
  default_tags {
    tags = { owner = "platform" }
  }

  # Emulators (localeks, moto, LocalStack): one URL for every service.
  # endpoints { url = "http://127.0.0.1:4566" }
}
