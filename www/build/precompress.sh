#!/bin/sh
# Trunk post_build hook: writes X.br (brotli -q 11) and X.gz (gzip -9) next to every
# compressible file X (.wasm .js .mjs .css .html .json .svg) in $TRUNK_STAGING_DIR, so
# trackfront-proxy serves the very first request compressed, at the best quality, with no
# compression work at start-up (it falls back to compressing in process only for files
# without siblings). It must run after write-loader.sh, which writes trackfront.js and the
# badge files into the same directory: Trunk.toml chains the two in one hook, since Trunk
# 0.21 starts all hooks of a stage at once. POSIX sh, Debian's `brotli` and `gzip`.
set -eu
dir="${TRUNK_STAGING_DIR:?run me as a Trunk hook}"
if ! command -v brotli >/dev/null 2>&1; then
  echo "precompress.sh: the brotli CLI is missing (apt-get install brotli, or cargo xtask setup)" >&2
  exit 1
fi
# Smaller files are not worth it (the proxy's own threshold is 256 bytes too).
min=256
find "$dir" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' \
  -o -name '*.html' -o -name '*.json' -o -name '*.svg' \) ! -name '.*' |
  while IFS= read -r f; do
    size=$(wc -c < "$f")
    [ "$size" -ge "$min" ] || continue
    brotli -q 11 -f -n -o "$f.br" -- "$f"
    gzip -9 -n -c -- "$f" > "$f.gz"
    # A form that is not smaller is useless: the proxy would ignore it anyway.
    [ "$(wc -c < "$f.br")" -lt "$size" ] || rm -f -- "$f.br"
    [ "$(wc -c < "$f.gz")" -lt "$size" ] || rm -f -- "$f.gz"
  done
echo "precompress.sh: $(find "$dir" -type f -name '*.br' | wc -l) .br and" \
  "$(find "$dir" -type f -name '*.gz' | wc -l) .gz files in $dir"
