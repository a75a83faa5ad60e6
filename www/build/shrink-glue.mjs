// Shrinks each wasm-bindgen module pair in a build directory: `X_bg.wasm` and its glue `X.js`.
//
// 1. Dead glue goes: exported classes that the wasm never hands to JS (no `X.__wrap`, no
//    constructor), with their finalization registries. wasm-streams' `IntoUnderlyingSource`
//    family was one, until vendor/server_fn kept wasm-streams out of the widget; any
//    dependency with unused #[wasm_bindgen] classes would be another.
// 2. wasm-opt removes the exports the remaining glue never reads, and optimises for size
//    (the code only those exports reached and the imports only that code called go too).
//    A second run renames what is left (`__wbg_createElement_de4a31ed2fb252be` and the
//    like) to one or two letters (`--minify-imports-and-exports-and-modules`). The glue is
//    rewritten to match from the mapping wasm-opt prints, and the import functions the
//    wasm no longer declares go.
// 3. terser minifies the glue (wasm-bindgen emits it with comments and long local names).
// 4. `integrity="sha384-…"` attributes that name a rewritten file (Trunk writes them into
//    index.html) are recomputed.
//
// File names keep the hash they were given: the rewrite is deterministic (wasm-opt, acorn
// and terser are pinned in e2e/package-lock.json), so a name still changes exactly when
// the input does. Any mismatch between glue and wasm stops the build: every import the wasm
// declares must be provided and every export the glue reads must exist.
//
// Usage: node www/build/shrink-glue.mjs DIR (Trunk's post_build hook passes its staging
// directory). Needs e2e/node_modules (npm binaryen, acorn and terser), which `cargo xtask`
// installs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const e2e = new URL("../../e2e/", import.meta.url).pathname;
const require = createRequire(join(e2e, "package.json"));
const acorn = require("acorn");
const { minify } = require("terser");
const wasmOpt = join(e2e, "node_modules/.bin/wasm-opt");
const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int"];
// Trunk's and build-badge.sh's wasm-bindgen output is optimised here, once, after the dead
// exports are gone (Trunk's own wasm-opt is off: data-wasm-opt="0" in index.html). Measured
// on the track page's wasm while wasm-streams was still linked, brotli: Trunk's `-Oz` and
// then pruning gave 75,065 B; pruning first and then `-Oz` 74,915; with
// `--low-memory-unused` 74,503; with `--flatten --rereloop` first 73,890 (`--converge` made
// both modules bigger, not smaller).
// `--low-memory-unused` lets wasm-opt fold constant offsets into loads and stores: Rust's
// wasm32 stack grows down from 1 MiB towards address 0, and nothing else lives in the low
// 1 KiB that the flag assumes is unused.
const OPTIMISE = [
  "--strip-debug",
  "--strip-producers",
  "--flatten",
  "--rereloop",
  "-Oz",
  "--low-memory-unused",
];

const fail = (msg) => {
  console.error(`shrink-glue: ${msg}`);
  process.exit(1);
};

const parse = (js) => acorn.parse(js, { ecmaVersion: "latest", sourceType: "module" });

/** `js` with each `[start, end, text]` edit applied (the ranges must not overlap). */
function splice(js, edits) {
  for (const [start, end, text] of [...edits].sort((a, b) => b[0] - a[0])) {
    js = js.slice(0, start) + text + js.slice(end);
  }
  return js;
}

/** Removes exported classes the wasm never constructs; returns the glue and their names. */
function dropDeadClasses(glue) {
  const body = parse(glue).body;
  const dead = body
    .filter((s) => s.type === "ExportNamedDeclaration" && s.declaration?.type === "ClassDeclaration")
    .map((s) => s.declaration)
    .filter((c) => !c.body.body.some((m) => m.kind === "constructor"))
    .map((c) => c.id.name)
    .filter((name) => !glue.includes(`${name}.__wrap`));
  const source = (s) => glue.slice(s.start, s.end);
  const ranges = body
    .filter((s) =>
      dead.some(
        (name) =>
          (s.type === "ExportNamedDeclaration" && s.declaration?.id?.name === name) ||
          (s.type === "IfStatement" && source(s).includes(`${name}.prototype`)) ||
          (s.type === "VariableDeclaration" &&
            s.declarations.length === 1 &&
            s.declarations[0].id.name === `${name}Finalization`),
      ),
    )
    .map((s) => [s.start, s.end, ""]);
  glue = splice(glue, ranges);
  for (const name of dead) {
    if (new RegExp(`\\b${name}\\b`).test(glue)) fail(`${name} is still used after removal`);
  }
  return { glue, dead };
}

/** The import functions of the glue's import objects (`{ __proto__: null, name: … }`). */
function importProperties(glue) {
  const objects = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string") return;
    if (
      node.type === "ObjectExpression" &&
      node.properties.some((p) => p.key?.name === "__proto__") &&
      node.properties.some((p) => p.value?.type === "FunctionExpression")
    ) {
      objects.push(node);
    }
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) visit(child);
    }
  };
  visit(parse(glue));
  return objects.flatMap((o) =>
    o.properties.filter((p) => p.value?.type === "FunctionExpression"),
  );
}

/**
 * Prunes, optimises and renames the wasm at `wasmPath` in place to fit `glue`; returns the
 * glue rewritten to match.
 */
function optimiseToFit(wasmPath, glue) {
  const before = new WebAssembly.Module(readFileSync(wasmPath));
  const read = new Set([...glue.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]));
  const unread = WebAssembly.Module.exports(before)
    .map((e) => e.name)
    .filter((name) => !read.has(name));
  const prune = unread.length
    ? ["--remove-exports", `--pass-arg=remove-exports@${unread.join(",")}`]
    : [];
  execFileSync(wasmOpt, [wasmPath, ...prune, ...OPTIMISE, ...FEATURES, "-o", wasmPath]);
  const out = execFileSync(
    wasmOpt,
    [wasmPath, "--minify-imports-and-exports-and-modules", ...FEATURES, "-o", wasmPath],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const map = JSON.parse(out.slice(out.indexOf("{")));
  const after = new WebAssembly.Module(readFileSync(wasmPath));
  const modules = new Set(WebAssembly.Module.imports(after).map((i) => i.module));
  if (modules.size > 1) fail(`${wasmPath}: expected one import module after minifying`);
  const [module] = modules;

  // Imports: rename the glue's import functions, and drop those the wasm no longer has.
  const imports = new Map(map.imports.map(([, from, to]) => [from, to]));
  const props = importProperties(glue);
  for (const from of imports.keys()) {
    if (!props.some((p) => p.key.name === from)) fail(`the glue provides no import ${from}`);
  }
  glue = splice(
    glue,
    props.map((p) =>
      imports.has(p.key.name)
        ? [p.key.start, p.key.end, JSON.stringify(imports.get(p.key.name))]
        : [p.start, glue[p.end] === "," ? p.end + 1 : p.end, ""],
    ),
  );
  // The import objects' module keys (`"./X_bg.js": import0`) become the one minified module.
  for (const old of new Set(WebAssembly.Module.imports(before).map((i) => i.module))) {
    glue = glue.replaceAll(`${JSON.stringify(old)}:`, `${JSON.stringify(module)}:`);
  }
  // Exports: the glue reads them only as `wasm.name`.
  const exports = new Map(map.exports);
  glue = glue.replace(/\bwasm\.([\w$]+)/g, (whole, name) => {
    const to = exports.get(name);
    if (to === undefined) fail(`the glue reads wasm.${name}, which the wasm does not export`);
    return `wasm[${JSON.stringify(to)}]`;
  });
  return { glue, unread: unread.length, dropped: props.length - imports.size };
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
  const { glue: live, dead } = dropDeadClasses(jsBefore.toString("utf8"));
  const { glue, unread, dropped } = optimiseToFit(wasmPath, live);
  const { code } = await minify(glue, {
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
      `${wasmName} ${wasmBefore.length} -> ${wasmAfter.length} B ` +
      `(dead classes: ${dead.join(", ") || "none"}; ${unread} unread exports and ` +
      `${dropped} imports removed)`,
  );
}
for (const html of names.filter((n) => n.endsWith(".html"))) {
  const path = join(dir, html);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(/sha384-[A-Za-z0-9+/=]+/g, (h) => integrity.get(h) ?? h);
  if (fixed !== text) writeFileSync(path, fixed);
}
