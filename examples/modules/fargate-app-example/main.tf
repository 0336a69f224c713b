# Module reuse: two clusters, each with its app on Fargate.
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

module "beer_api" {
  source       = "../fargate-app"
  cluster_name = "beer"
  vpc_cidr     = "10.20.0.0/16"
  app_name     = "beer-api"
  namespace    = "brewery"
  image        = "terrax/springboot-beer-api:1.0"
  replicas     = 2
}

module "taproom" {
  source       = "../fargate-app"
  cluster_name = "taproom"
  vpc_cidr     = "10.21.0.0/16"
  app_name     = "taproom-web"
  namespace    = "taproom"
  image        = "nginx:1.27"
  port         = 80
  replicas     = 1
}

output "placement" {
  value = { beer = module.beer_api.placement, taproom = module.taproom.placement }
}
