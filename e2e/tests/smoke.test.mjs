// Smoke test of the walking skeleton: browser -> widget (wasm) -> proxy -> embedded sandbox.
//
// Assumptions about the widget's DOM (not final yet), kept deliberately loose; playwright's
// CSS and role locators pierce the widget's open shadow root:
//   - the lookup form has a textbox and a button whose accessible name matches /track/i;
//   - a live region with role="status" exists;
//   - checkpoints are rendered as an <ol> with <li> entries (the timeline). The progress
//     steps may be an <ol> too, so "timeline shown" is checked on a page that starts
//     without any lookup.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, axe, formatViolations, newPage, screenshot, useProxyAndBrowser } from '../lib/harness.mjs';

const FATAL = /WebAssembly|RuntimeError|panicked|unreachable/i;

describe('smoke: track page against the embedded sandbox', { timeout: 120_000 }, () => {
  let proxy;
  let browser;
  useProxyAndBrowser((p, b) => {
    proxy = p;
    browser = b;
  });

  test('the API answers a demo tracking', async () => {
    const res = await fetch(`${proxy.baseUrl}/api/v1/trackings/${DEMO.slug}/${DEMO.InTransit}`);
    assert.equal(res.status, 200, await res.clone().text());
    const body = JSON.stringify(await res.json());
    assert.match(body, new RegExp(DEMO.InTransit));
  });

  test('deep link shows the timeline, with no accessibility violations', async () => {
    const page = await newPage(browser);
    await page.goto(`${proxy.baseUrl}/?tracking_number=${DEMO.InTransit}&slug=${DEMO.slug}`);
    await page.locator('ol li').first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.ok((await page.getByRole('status').count()) >= 1, 'a role="status" live region exists');
    const file = await screenshot(page, 'track-page');
    console.log(`screenshot: ${file}`);
    const violations = await axe(page);
    assert.equal(violations.length, 0, `axe violations:\n${formatViolations(violations)}`);
    assertNoFatalErrors(page);
    await page.context().close();
  });

  test('typing a demo number into the form looks it up', async () => {
    const page = await newPage(browser);
    await page.goto(`${proxy.baseUrl}/`);
    const input = page.getByRole('textbox').first();
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(DEMO.Delivered);
    await page.getByRole('button', { name: /track/i }).first().click();
    await page.locator('ol li').first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'track-page-form');
    assertNoFatalErrors(page);
    await page.context().close();
  });

  // A deep link's lookup used to wait for the wasm (HTML -> JS -> wasm -> API, one after
  // the other); the page now preloads the exact URL the widget fetches. One request reaches
  // the proxy, and the browser saw it start from the page's <link>, not from the widget.
  test('a deep link looks up once, from a preload the widget takes over', async () => {
    // Typed loosely, as a shopper might paste it: the preload must normalise like the widget.
    const raw = `${DEMO.InTransit.slice(0, 4).toLowerCase()} ${DEMO.InTransit.slice(4)}`;
    const page = await newPage(browser);
    const lookups = [];
    page.on('request', (r) => /\/api\/v1\/trackings\/[^/]+\/[^/?]+(\?|$)/.test(r.url()) && lookups.push(r.url()));
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${proxy.baseUrl}/?tracking_number=${encodeURIComponent(raw)}&slug=${DEMO.slug}`);
    await page.locator('ol li').first().waitFor({ state: 'visible', timeout: 20_000 });
    const url = `/api/v1/trackings/${DEMO.slug}/${DEMO.InTransit}?lang=en`;
    assert.deepEqual(lookups, [`${proxy.baseUrl}${url}`], 'one lookup went to the network');
    const timing = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname.startsWith('/api/v1/trackings/'))
        .map((e) => `${e.initiatorType} ${new URL(e.name).pathname}${new URL(e.name).search}`),
    );
    assert.deepEqual(timing, [`link ${url}`], 'started by the page, not by the wasm');
    assert.deepEqual(warnings.filter((w) => /preloaded .* not used/i.test(w)), []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  // Regression: the first result render took 101-137 ms on the main thread because the
  // first Intl call loaded ICU there; intl-warm.js now pays for it in a worker.
  test('tracker pages load ICU in a same-origin worker, in the page language; badge pages do not', async () => {
    for (const [path, expected] of [
      [`/?tracking_number=${DEMO.InTransit}&slug=${DEMO.slug}`, ['intl-warm.js#en']],
      ['/order.html', ['intl-warm.js#en']],
      ['/product.html', []],
    ]) {
      const page = await newPage(browser);
      const workers = [];
      page.on('worker', (w) => workers.push(new URL(w.url()).pathname.slice(1) + new URL(w.url()).hash));
      await page.goto(`${proxy.baseUrl}${path}`);
      await page.waitForLoadState('load');
      await page.locator('[data-trackfront]').first().waitFor({ state: 'attached' });
      await page.waitForTimeout(500);
      assert.deepEqual(workers, expected, `workers started by ${path}`);
      assert.deepEqual(page.errors, [], `${path} ran without console errors (the CSP allows the worker)`);
      await page.context().close();
    }
  });
});

function assertNoFatalErrors(page) {
  const fatal = page.errors.filter((e) => e.startsWith('pageerror') || FATAL.test(e));
  assert.deepEqual(fatal, [], 'the page ran without uncaught errors');
}
