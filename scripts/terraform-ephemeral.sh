#!/usr/bin/env bash
# make tools: link $2 (bin/terraform-ephemeral) to the Terraform CLI $1 if it
# is 1.10 or later (ephemeral resources). Without one, warn and go on: only the
# ephemeral resource's tests and `make docs` need it, and they say so.
set -euo pipefail
cli=${1:-} link=$2
version() { TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version -json 2>/dev/null |
  sed -n 's/.*"terraform_version": *"\([0-9][^"]*\)".*/\1/p'; }
v=""
if [ -n "$cli" ] && [ -x "$cli" ]; then v=$(version "$cli"); fi
IFS=. read -r major minor _ <<< "${v:-0.0.0}"
if [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 10 ]; }; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$cli" "$link"
  echo ">> Terraform $v ($cli) linked as $link, for the tests of ephemeral resources and make docs"
else
  echo ">> WARNING: no Terraform 1.10 or later found (${cli:-no terraform on PATH}${v:+ is $v}): the ephemeral" \
    "resource's tests and make docs will fail; install one as \`terraform\` on PATH or set TERRAFORM_EPHEMERAL=/path/to/terraform, then run make tools" >&2
fi
