// Minifies the plain scripts in a build directory: every `X.js` that is not wasm-bindgen
// glue (glue has an `X_bg.wasm` beside it and is minified by shrink-glue.mjs). These are
// the stable loader `trackfront.js` (write-loader.sh), the demo's toolbar
// `demo-controls.js` and `intl-warm.js`, all kept readable in the repository. They are
// classic scripts, not modules.
//
// Usage: node www/build/minify-scripts.mjs DIR (the Trunk post_build hook, after
// shrink-glue.mjs). Needs e2e/node_modules (npm terser), which `cargo xtask` installs.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const e2e = new URL("../../e2e/", import.meta.url).pathname;
const { minify } = createRequire(join(e2e, "package.json"))("terser");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: minify-scripts.mjs DIR");
  process.exit(1);
}
const names = readdirSync(dir);
for (const name of names.filter((n) => n.endsWith(".js"))) {
  if (names.includes(name.replace(/\.js$/, "_bg.wasm"))) continue;
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  const { code } = await minify(before, {
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  });
  writeFileSync(path, code);
  console.log(`minify-scripts: ${name} ${before.length} -> ${code.length} B`);
}
