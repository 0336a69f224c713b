#!/usr/bin/env bash
# make demo: the blog, end to end, on this machine. Starts localeks, deploys
# TerraxStack with cdktf, shows the nodes and pods, scales the service to 4
# and to 1 by redeploying, destroys, and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="$repo/bin:$PATH" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 CI=true
# jsii (CDKTF's Go bindings run on node) would warn about the node version at every synth.
# Nothing cached or looked up outside the repository: no Terraform plugin cache
# in ~/.terraform.d, no jsii package cache in ~/.cache, no version check online.
export CDKTF_DISABLE_PLUGIN_CACHE_ENV=true DISABLE_VERSION_CHECK=true
# jsii's package cache (the CDKTF library, extracted once, not at every synth) in bin/.
export JSII_RUNTIME_PACKAGE_CACHE=enabled JSII_RUNTIME_PACKAGE_CACHE_ROOT="$repo/bin/jsii-cache"
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1 JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1
export TF_CLI_CONFIG_FILE="$repo/bin/terraformrc"   # the provider from bin/mirror, nothing downloaded
start=$(date +%s)
# cdktf draws spinners even into a pipe: keep the lines that say something.
quiet() { sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep --line-buffered -vE '^[[:space:]]*$|^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ]|!!|0 Stacks (deploying|destroying)' | sed -u 's/^/   /'; }
step() { printf '\n\033[1m== [%3ss] %s\033[0m\n' "$(( $(date +%s) - start ))" "$*"; }

cleanup() {
  step "stopping localeks"
  bin/localeks down -data-dir .localeks || true
}
trap cleanup EXIT

step "starting localeks (a local EKS with real Kubernetes control planes)"
bin/localeks up -data-dir .localeks -moto-python .venv/bin/python -moto-script tools/moto_server.py | sed -n '1p'
# shellcheck disable=SC1091
source .localeks/env
# A fresh synth: no lock file pinning an earlier build of the provider, no state of an earlier run.
rm -rf cdktf.out terraform.terrax.tfstate*

deploy() {
  step "cdktf deploy with $1 Spring Boot replica(s)"
  TERRAX_REPLICAS=$1 node_modules/.bin/cdktf deploy terrax --auto-approve --skip-provider-lock --no-color 2>&1 | quiet
  step "what the blog's screenshots showed"
  go run ./stack/cmd/inspect
}

deploy 2
deploy 4
deploy 1

step "cdktf destroy"
node_modules/.bin/cdktf destroy terrax --auto-approve --skip-provider-lock --no-color 2>&1 | quiet | tail -n 8
# A fresh synth: no lock file pinning an earlier build of the provider, no state of an earlier run.
rm -rf cdktf.out terraform.terrax.tfstate*
step "done in $(( $(date +%s) - start ))s"
