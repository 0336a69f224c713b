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
# The schema of the ephemeral resources needs Terraform 1.10 or later (make tools links one).
tf=bin/terraform-ephemeral
if ! [ -x "$tf" ]; then
  echo "docs: $tf is missing: docs/ needs a Terraform CLI 1.10 or later for the ephemeral resources' schema;" \
    "install one as \`terraform\` on PATH (or set TERRAFORM_EPHEMERAL) and run make tools" >&2
  exit 1
fi
"$tf" -chdir="$tmp" init -input=false -no-color > /dev/null
# tfplugindocs looks the provider up by its short name.
"$tf" -chdir="$tmp" providers schema -json | sed 's#"registry.terraform.io/terrax/fargate"#"fargate"#' > "$tmp/schema.json"
go tool -modfile=tools/go.mod tfplugindocs generate --provider-name fargate --rendered-provider-name fargate \
  --providers-schema "$tmp/schema.json" --rendered-website-dir "$out" --website-temp-dir "$tmp/site" > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
