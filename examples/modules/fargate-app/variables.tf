variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes version of the cluster."
  type        = string
  default     = "1.35"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC the module creates."
  type        = string
  default     = "10.0.0.0/16"
}

variable "instance_type" {
  description = "Instance type of the system node group."
  type        = string
  default     = "t3.medium"
}

variable "node_count" {
  description = "Nodes in the system node group."
  type        = number
  default     = 1
}

variable "app_name" {
  description = "Name of the app; its pods carry app=<name> and run on Fargate."
  type        = string
}

variable "namespace" {
  description = "Namespace of the app."
  type        = string
}

variable "image" {
  description = "Container image of the app."
  type        = string
}

variable "port" {
  description = "Port the app listens on."
  type        = number
  default     = 8080
}

variable "replicas" {
  description = "Pods of the app; each gets its own Fargate node."
  type        = number
  default     = 2
}

variable "tags" {
  description = "Tags for everything the cluster creates."
  type        = map(string)
  default     = {}
}
