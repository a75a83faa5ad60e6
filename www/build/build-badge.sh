#!/bin/sh
# Builds the EDD badge (crates/badge, package trackfront-badge) into $TRUNK_STAGING_DIR as
# edd-badge-<hash>.js and edd-badge-<hash>_bg.wasm, which /trackfront.js imports only on
# pages with <div data-trackfront="edd">. Run by write-loader.sh (Trunk 0.21 starts the
# hooks of one stage concurrently, so the loader and the badge must be built in sequence).
#
# cargo (release, wasm32, CARGO_TARGET_DIR honoured), then wasm-bindgen --target web (the
# CLI must match Cargo.lock; checked), then wasm-opt -Oz from PATH (npm binaryen in
# e2e/node_modules/.bin; Debian's binaryen is broken). POSIX sh, offline. The glue is
# minified afterwards, with the widget's, by shrink-glue.mjs.
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
# --low-memory-unused lets wasm-opt fold constant offsets into loads and stores (-150 B
# brotli): Rust's wasm32 stack grows down from 1 MiB towards address 0, and nothing else
# lives in the low 1 KiB that the flag assumes is unused.
if command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --strip-debug \
    --strip-producers -o "$tmp/edd-badge_bg.wasm" "$tmp/edd-badge_bg.wasm"
else
  echo "build-badge.sh: wasm-opt not on PATH; the badge is not size-optimised" >&2
fi
hash="$(cat "$tmp/edd-badge_bg.wasm" "$tmp/edd-badge.js" | sha256sum | cut -c1-16)"
rm -f "$dir"/edd-badge-*.js "$dir"/edd-badge-*_bg.wasm
cp "$tmp/edd-badge_bg.wasm" "$dir/edd-badge-${hash}_bg.wasm"
cp "$tmp/edd-badge.js" "$dir/edd-badge-$hash.js"
echo "build-badge.sh: edd-badge-$hash.js, edd-badge-${hash}_bg.wasm"
