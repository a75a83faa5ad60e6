#!/bin/sh
# Builds the EDD badge (crates/badge, package trackfront-badge) into $TRUNK_STAGING_DIR as
# edd-badge-<hash>.js and edd-badge-<hash>_bg.wasm, which /trackfront.js imports only on
# pages with <div data-trackfront="edd">. Run by write-loader.sh (Trunk 0.21 starts the
# hooks of one stage concurrently, so the loader and the badge must be built in sequence).
#
# cargo (release, wasm32, CARGO_TARGET_DIR honoured), then wasm-bindgen --target web (the
# CLI must match Cargo.lock; checked). POSIX sh, offline. The wasm is optimised and its
# glue minified afterwards, with the widget's, by shrink-glue.mjs.
set -eu
dir="${TRUNK_STAGING_DIR:?run me as a Trunk hook}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$root/e2e/node_modules/.bin:$PATH"
target="${CARGO_TARGET_DIR:-$root/target}"

want="$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$root/Cargo.lock" | head -n 1)"
have="$(wasm-bindgen --version | sed 's/^wasm-bindgen //')"
if [ "$want" != "$have" ]; then
  echo "build-badge.sh: wasm-bindgen CLI $have does not match Cargo.lock's $want" >&2
  exit 1
fi

cargo build --release --target wasm32-unknown-unknown -p trackfront-badge \
  --manifest-path "$root/Cargo.toml"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --no-typescript --omit-default-module-path --encode-into always --out-dir "$tmp" --out-name edd-badge \
  "$target/wasm32-unknown-unknown/release/trackfront_badge.wasm"
hash="$(cat "$tmp/edd-badge_bg.wasm" "$tmp/edd-badge.js" | sha256sum | cut -c1-16)"
rm -f "$dir"/edd-badge-*.js "$dir"/edd-badge-*_bg.wasm
cp "$tmp/edd-badge_bg.wasm" "$dir/edd-badge-${hash}_bg.wasm"
cp "$tmp/edd-badge.js" "$dir/edd-badge-$hash.js"
echo "build-badge.sh: edd-badge-$hash.js, edd-badge-${hash}_bg.wasm"
