// Package reliability holds the provider's fault, interruption and bad
// input tests (README, "Reliability"): each scenario runs the real
// Terraform CLI and the provider binary against localeks with traffic
// shaping, and checks the outcome through the AWS and Kubernetes APIs.
// The package has no code of its own; its tests run in `make test`.
package reliability
