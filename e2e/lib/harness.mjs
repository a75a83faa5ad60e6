// Shared end-to-end harness: a real trackfront-proxy on a free loopback port, Debian's
// Chromium through playwright-core, axe-core, and screenshots under target/e2e/.
//
// Environment (set by `cargo xtask test`; the defaults suit a plain `node --test` from the
// repository root after `cargo build -p trackfront-proxy` and `trunk build`):
//   TRACKFRONT_PROXY_BIN  the proxy binary      (default <repo>/target/debug/trackfront-proxy)
//   TRACKFRONT_DIST       the built widget      (default <repo>/dist)
//   TRACKFRONT_E2E_OUT    screenshot directory  (default <repo>/target/e2e)
//   CHROMIUM_PATH         the browser           (default /usr/bin/chromium)

import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROXY_BIN =
  process.env.TRACKFRONT_PROXY_BIN ?? path.join(REPO, 'target', 'debug', 'trackfront-proxy');
const DIST = process.env.TRACKFRONT_DIST ?? path.join(REPO, 'dist');
export const OUT_DIR = process.env.TRACKFRONT_E2E_OUT ?? path.join(REPO, 'target', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Demo tracking numbers seeded by the sandbox (courier slug `ecms`), one per tag. */
export const DEMO = Object.freeze({
  slug: 'ecms',
  Pending: 'ECMS0000PENDING',
  InfoReceived: 'ECMS0001INFO',
  InTransit: 'ECMS0002TRANSIT',
  OutForDelivery: 'ECMS0003OUT',
  AttemptFail: 'ECMS0004FAIL',
  Delivered: 'ECMS0005DELIVERED',
  AvailableForPickup: 'ECMS0006PICKUP',
  Exception: 'ECMS0007EXCEPTION',
  Expired: 'ECMS0008EXPIRED',
});

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts trackfront-proxy on a free loopback port with the embedded sandbox (no
 * AFTERSHIP_API_KEY unless `env` sets one) and waits until GET /healthz answers 200.
 * `env` adds to / overrides the environment; `args` are extra command-line arguments.
 * Resolves to `{ baseUrl, port, logs, stop }`; `stop()` ends the process (SIGTERM, then
 * SIGKILL after 5 s). A proxy that exits early or never gets healthy rejects, with its log.
 */
export async function startProxy({ env = {}, args = [] } = {}) {
  let lastError;
  // Another process can take the port between freePort() and the bind: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startProxyOn(port, env, args);
    } catch (err) {
      lastError = err;
      if (!/in use|AddrInUse|address already/i.test(String(err.message))) break;
    }
  }
  throw lastError;
}

async function startProxyOn(port, env, args) {
  const addr = `127.0.0.1:${port}`;
  const baseUrl = `http://${addr}`;
  const childEnv = { ...process.env };
  delete childEnv.AFTERSHIP_API_KEY;
  Object.assign(childEnv, {
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    TRACKFRONT_ADDR: addr,
    TRACKFRONT_DIST: DIST,
    ...env,
  });
  const child = spawn(PROXY_BIN, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const collect = (chunk) => {
    logs.push(chunk.toString());
    if (process.env.E2E_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, err };
      resolve(exited);
    });
  });

  const stop = async () => {
    if (exited) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const result = await exitedPromise;
    clearTimeout(timer);
    return result;
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(
        `trackfront-proxy exited before it was healthy (${JSON.stringify(exited)}; binary ${PROXY_BIN}):\n${logs.join('')}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { baseUrl, port, logs, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`trackfront-proxy did not answer GET /healthz on ${baseUrl} within 30 s:\n${logs.join('')}`);
}

/** Chromium flags for this machine: root, no GPU, and a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Debian's headless Chromium through playwright-core (no downloaded browser). */
export function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

/**
 * A page whose console errors and uncaught exceptions are collected in `page.errors`, so a
 * test can assert that the widget ran cleanly (a broken wasm-opt shows up here as
 * `WebAssembly.Table.set` errors and a blank page).
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console.error: ${msg.text()}`);
  });
  return page;
}

let axeSource;
/**
 * Runs axe-core in the page with its default rule set (every WCAG A/AA rule plus best
 * practices) and returns the violations. axe descends into open shadow roots, so the widget
 * is checked too. Injected with `page.evaluate`, which the page's CSP does not block.
 * `options` are passed to `axe.run` (e.g. `{ runOnly: ['wcag2a', 'wcag2aa'] }`).
 */
export async function axe(page, options = {}) {
  if (!axeSource) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  await page.evaluate(axeSource);
  return page.evaluate(async (o) => {
    const result = await globalThis.axe.run(document, o);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
  }, options);
}

/** Readable text for an assertion message about axe violations. */
export function formatViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.summary ?? ''}`).join('\n')}`)
    .join('\n');
}

/**
 * Serves the proxy's real EDD answers to `page` with each estimate's `cutoff` replaced by
 * `await cutoff(n)` for the n-th request (1-based), or removed when that is `undefined`:
 * the real cutoff depends on the time of day a test runs. Returns how many requests came.
 */
export async function rewriteEddCutoffs(page, cutoff) {
  let calls = 0;
  await page.route('**/api/v1/edd', async (route) => {
    calls += 1;
    const response = await route.fetch();
    const json = await response.json();
    const value = await cutoff(calls);
    for (const e of json.estimates ?? []) {
      if (value === undefined) delete e.cutoff;
      else e.cutoff = value;
    }
    await route.fulfill({ response, json });
  });
  return () => calls;
}

/** Saves a full-page screenshot as `<OUT_DIR>/<name>.png` and returns its path. */
export async function screenshot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Registers `before`/`after` hooks on the enclosing suite (or file) that start a proxy
 * (`startProxy(options)`) and a browser, hand both to `set(proxy, browser)`, and stop them
 * afterwards, so every test file shares one lifecycle.
 */
export function useProxyAndBrowser(set, options = {}) {
  let proxy;
  let browser;
  before(async () => {
    proxy = await startProxy(options);
    browser = await launchBrowser();
    set(proxy, browser);
  });
  after(async () => {
    await browser?.close();
    await proxy?.stop();
  });
}
