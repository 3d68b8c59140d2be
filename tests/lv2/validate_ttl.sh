#!/usr/bin/env bash
# The bundle's Turtle (manifest, plugin, presets) against the LV2 schemas
# with sord_validate; then a deliberately broken copy, which must fail, so
# the check is known to bite.
set -euo pipefail
bundle=${1:?usage: validate_ttl.sh BUNDLE_DIR}
command -v sord_validate >/dev/null || { echo "sord_validate (Debian: sordi) is not installed" >&2; exit 1; }
schemas=$(find /usr/lib/lv2 -name '*.ttl' | sort)
[[ -n "$schemas" ]] || { echo "no LV2 schemas in /usr/lib/lv2 (Debian: lv2-dev)" >&2; exit 1; }
ttl=("$bundle"/manifest.ttl "$bundle"/tactus.ttl "$bundle"/presets/*.ttl)
# shellcheck disable=SC2086
out=$(sord_validate $schemas "${ttl[@]}" 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -1
grep -q "Found 0 errors" <<<"$out" || { echo "$out"; exit 1; }

# negative control: a string where a number belongs, and an undefined property
broken=$(mktemp -d)
trap 'rm -rf "$broken"' EXIT
sed -e '0,/lv2:default [0-9.-]*/s//lv2:default "fast"/' -e 's/lv2:minimum /lv2:minimun /' \
  "$bundle"/tactus.ttl >"$broken"/tactus.ttl
cmp -s "$bundle"/tactus.ttl "$broken"/tactus.ttl && { echo "negative control: the edit did not apply" >&2; exit 1; }
# shellcheck disable=SC2086
if sord_validate $schemas "$bundle"/manifest.ttl "$broken"/tactus.ttl >/dev/null 2>&1; then
  echo "negative control: sord_validate accepted a broken plugin description" >&2
  exit 1
fi
echo "validate_ttl: the bundle passes, a broken copy fails"
