#!/bin/sh
# Trunk post_build hook: writes $TRUNK_STAGING_DIR/trackfront.js, the stable script shops
# embed (<script src="…/trackfront.js" defer>). It points at the content-hashed wasm and JS
# Trunk just produced, so pages never change after an upgrade. POSIX sh only: works
# offline on a bare Debian box.
set -eu
dir="${TRUNK_STAGING_DIR:?run me as a Trunk hook}"
# The EDD badge first (edd-badge-<hash>.js/_bg.wasm): its names go into the loader too.
sh "$(dirname "$0")/build-badge.sh"
badge_js=""
badge_wasm=""
for f in "$dir"/edd-badge-*.js; do
  [ -e "$f" ] && badge_js="${f##*/}"
done
for f in "$dir"/edd-badge-*_bg.wasm; do
  [ -e "$f" ] && badge_wasm="${f##*/}"
done
if [ -z "$badge_js" ] || [ -z "$badge_wasm" ]; then
  echo "write-loader.sh: no edd-badge-*.js / *_bg.wasm in $dir" >&2
  exit 1
fi
js=""
wasm=""
for f in "$dir"/trackfront*.js; do
  case "$f" in */trackfront.js) ;; *) js="${f##*/}" ;; esac
done
for f in "$dir"/trackfront*_bg.wasm; do
  [ -e "$f" ] && wasm="${f##*/}"
done
if [ -z "$js" ] || [ -z "$wasm" ]; then
  echo "write-loader.sh: no trackfront-*.js / *_bg.wasm in $dir" >&2
  exit 1
fi
# Whole-line // comments and indentation go: every product page loads this file, and the
# demo pages load demo-controls.js (their comments are for readers of www/public/).
strip='/^[[:space:]]*\/\//d; s/^[[:space:]]*//'
sed -e "$strip" -e "s|@JS@|$js|g" -e "s|@WASM@|$wasm|g" \
  -e "s|@BADGE_JS@|$badge_js|g" -e "s|@BADGE_WASM@|$badge_wasm|g" \
  "$(dirname "$0")/trackfront.js.in" > "$dir/trackfront.js"
if [ -f "$dir/demo-controls.js" ]; then
  sed -e "$strip" "$dir/demo-controls.js" > "$dir/demo-controls.js.tmp"
  mv "$dir/demo-controls.js.tmp" "$dir/demo-controls.js"
fi
echo "write-loader.sh: trackfront.js -> $js, $wasm; $badge_js, $badge_wasm"
