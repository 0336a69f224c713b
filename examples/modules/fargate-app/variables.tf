variable "cluster_name" {
  description = "Name of the EKS cluster the app runs on (made by the platform, e.g. a fargate_cluster with exclusive_fargate_profiles = false)."
  type        = string
}

variable "namespace" {
  description = "Namespace of the app, made by the module; also the name of its Deployment and Service, and of its profile (fp-<namespace>)."
  type        = string
}

variable "labels" {
  description = "Labels of the app's pods, which its Fargate profile selects. Default: app = <namespace>."
  type        = map(string)
  default     = {}
}

variable "image" {
  description = "Container image of the app."
  type        = string
}

variable "replicas" {
  description = "Pods of the app; each gets its own Fargate node."
  type        = number
  default     = 2
}

variable "port" {
  description = "Port the app listens on."
  type        = number
  default     = 8080
}
