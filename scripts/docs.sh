#!/usr/bin/env bash
# make docs: docs/ from the provider's schema (its markdown descriptions),
# templates/ and examples/, with tfplugindocs (pinned in tools/go.mod).
# With an argument, writes there instead (make test compares the two).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'terraform {\n  required_providers {\n    fargate = { source = "terrax/fargate" }\n  }\n}\n' > "$tmp/main.tf"
export TF_CLI_CONFIG_FILE="$PWD/bin/terraformrc" CHECKPOINT_DISABLE=1
bin/terraform -chdir="$tmp" init -input=false -no-color > /dev/null
# tfplugindocs looks the provider up by its short name.
bin/terraform -chdir="$tmp" providers schema -json | sed 's#"registry.terraform.io/terrax/fargate"#"fargate"#' > "$tmp/schema.json"
go tool -modfile=tools/go.mod tfplugindocs generate --provider-name fargate --rendered-provider-name fargate \
  --providers-schema "$tmp/schema.json" --rendered-website-dir "$out" --website-temp-dir "$tmp/site" > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
