// Shrinks each wasm-bindgen module pair in a build directory: `X_bg.wasm` and its glue `X.js`.
//
// 1. `wasm-opt --minify-imports-and-exports-and-modules` renames the wasm's imports (such
//    as `__wbg_createElement_de4a31ed2fb252be`), exports and import module to one or two
//    letters; the glue is rewritten to match, from the mapping wasm-opt prints.
// 2. terser minifies the glue (wasm-bindgen emits it with comments and long local names).
// 3. `integrity="sha384-…"` attributes that name a rewritten file (Trunk writes them into
//    index.html) are recomputed.
//
// File names keep the hash they were given: the rewrite is deterministic (wasm-opt and
// terser are pinned in e2e/package-lock.json), so a name still changes exactly when the
// input does. Any mismatch between glue and wasm stops the build: every import the wasm
// declares must be provided and every export the glue reads must exist.
//
// Usage: node www/build/shrink-glue.mjs DIR (Trunk's post_build hook passes its staging
// directory). Needs e2e/node_modules (npm binaryen and terser), which `cargo xtask` installs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const e2e = new URL("../../e2e/", import.meta.url).pathname;
const { minify } = createRequire(join(e2e, "package.json"))("terser");
const wasmOpt = join(e2e, "node_modules/.bin/wasm-opt");
const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int"];

const fail = (msg) => {
  console.error(`shrink-glue: ${msg}`);
  process.exit(1);
};

/** Rewrites `wasmPath` in place; returns the glue rewritten to match. */
function minifyNames(wasmPath, glue) {
  const before = new WebAssembly.Module(readFileSync(wasmPath));
  const modules = new Set(WebAssembly.Module.imports(before).map((i) => i.module));
  const out = execFileSync(
    wasmOpt,
    [wasmPath, "--minify-imports-and-exports-and-modules", ...FEATURES, "-o", wasmPath],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const map = JSON.parse(out.slice(out.indexOf("{")));
  const after = new WebAssembly.Module(readFileSync(wasmPath));
  const newModules = new Set(WebAssembly.Module.imports(after).map((i) => i.module));
  if (newModules.size > 1) fail(`${wasmPath}: expected one import module after minifying`);
  const [module] = newModules;

  // Imports: the keys of the glue's import objects (`name: function(…)`).
  for (const [, from, to] of map.imports) {
    const key = new RegExp(`(?<![\\w$.])${from}(?=\\s*:)`, "g");
    if (!key.test(glue)) fail(`the glue provides no import ${from}`);
    glue = glue.replace(key, JSON.stringify(to));
  }
  // The import module keys (`"./X_bg.js": import0`) all become the one minified module.
  for (const old of modules) {
    glue = glue.replaceAll(`${JSON.stringify(old)}:`, `${JSON.stringify(module)}:`);
  }
  // Exports: the glue reads them only as `wasm.name`.
  const exports = new Map(map.exports);
  glue = glue.replace(/\bwasm\.([\w$]+)/g, (whole, name) => {
    const to = exports.get(name);
    if (to === undefined) fail(`the glue reads wasm.${name}, which the wasm does not export`);
    return `wasm[${JSON.stringify(to)}]`;
  });
  return glue;
}

const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

const dir = process.argv[2] ?? fail("usage: shrink-glue.mjs DIR");
const names = readdirSync(dir);
const integrity = new Map(); // old SRI -> new SRI
for (const wasmName of names.filter((n) => n.endsWith("_bg.wasm"))) {
  const jsName = wasmName.replace(/_bg\.wasm$/, ".js");
  if (!names.includes(jsName)) fail(`${wasmName} has no glue ${jsName}`);
  const wasmPath = join(dir, wasmName);
  const jsPath = join(dir, jsName);
  const [wasmBefore, jsBefore] = [readFileSync(wasmPath), readFileSync(jsPath)];
  const renamed = minifyNames(wasmPath, jsBefore.toString("utf8"));
  const { code } = await minify(renamed, {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  });
  writeFileSync(jsPath, code);
  const wasmAfter = readFileSync(wasmPath);
  integrity.set(sri(wasmBefore), sri(wasmAfter));
  integrity.set(sri(jsBefore), sri(code));
  console.log(
    `shrink-glue: ${jsName} ${jsBefore.length} -> ${code.length} B, ` +
      `${wasmName} ${wasmBefore.length} -> ${wasmAfter.length} B`,
  );
}
for (const html of names.filter((n) => n.endsWith(".html"))) {
  const path = join(dir, html);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(/sha384-[A-Za-z0-9+/=]+/g, (h) => integrity.get(h) ?? h);
  if (fixed !== text) writeFileSync(path, fixed);
}
