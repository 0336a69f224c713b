# An EKS cluster, with its node groups, Fargate profiles, roles and network, by name.
terraform import fargate_cluster.terrax terrax-fargate
