// Live updates end to end: the track page shows a parcel, the demo toolbar advances the
// embedded sandbox's clock, the sandbox sends a signed webhook to the proxy, the proxy
// pushes the new view over server-sent events, and the widget shows the new checkpoint in
// place (no reload), highlighted and announced in its role="status" live region.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, axe, formatViolations, newPage, screenshot, startProxy, useProxyAndBrowser } from '../lib/harness.mjs';

/** Most clicks on "advance" before the test gives up (each moves the clock by a day). */
const MAX_ADVANCES = 5;

/**
 * Advances `proxy`'s sandbox clock a day at a time until `page` highlights a new checkpoint;
 * returns the highlighted entries.
 */
async function advanceUntilFresh(proxy, page) {
  const fresh = page.locator('li.ev.new');
  for (let i = 0; i < MAX_ADVANCES && (await fresh.count()) === 0; i++) {
    const res = await fetch(`${proxy.baseUrl}/demo/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hours: 24 }),
    });
    assert.equal(res.status, 200);
    await fresh.first().waitFor({ state: 'visible', timeout: 4_000 }).catch(() => {});
  }
  assert.ok((await fresh.count()) > 0, 'a new checkpoint was highlighted');
  return fresh;
}

/**
 * Runs `fn(proxy)` against a proxy of its own (the shared one's sandbox clock has moved on),
 * and stops it however `fn` ends: a failed assertion must not leave it running, or the test
 * file never exits.
 */
async function withOwnProxy(options, fn) {
  const own = await startProxy(options);
  try {
    await fn(own);
  } finally {
    await own.stop();
  }
}

describe('live updates on the track page', { timeout: 120_000 }, () => {
  let proxy;
  let browser;
  useProxyAndBrowser((p, b) => {
    proxy = p;
    browser = b;
  });

  /** A new page on `server`'s track page, deep-linked to the demo's in-transit parcel. */
  const openInTransit = async (server) => {
    const page = await newPage(browser);
    await page.goto(`${server.baseUrl}/?tracking_number=${DEMO.InTransit}&slug=${DEMO.slug}`);
    return page;
  };

  test('a new checkpoint appears without a reload and is announced', async () => {
    const page = await openInTransit(proxy);
    const entries = page.locator('li.ev');
    await entries.first().waitFor({ state: 'visible', timeout: 20_000 });
    const newestBefore = (await entries.first().locator('p').first().textContent()).trim();
    // Set in the page: a reload would lose it.
    await page.evaluate(() => { window.__noReload = true; });

    // The demo toolbar is outside the widget and clearly labelled.
    const toolbar = page.getByRole('complementary', { name: /demo controls/i });
    await toolbar.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('[data-trackfront] #demo-controls').count(), 0);
    const advance = toolbar.getByRole('button', { name: /advance demo time/i });

    let fresh = page.locator('li.ev.new');
    for (let i = 0; i < MAX_ADVANCES && (await fresh.count()) === 0; i++) {
      await advance.click();
      await fresh.first().waitFor({ state: 'visible', timeout: 4_000 }).catch(() => {});
    }
    assert.ok((await fresh.count()) > 0, 'a new checkpoint was highlighted');
    const newest = (await fresh.first().locator('p').first().textContent()).trim();
    assert.notEqual(newest, newestBefore, 'a newer checkpoint leads the timeline');
    assert.equal(
      (await entries.first().locator('p').first().textContent()).trim(),
      newest,
      'the highlighted checkpoint is the newest',
    );
    assert.equal(await page.evaluate(() => window.__noReload), true, 'no reload happened');

    assert.ok(newest.length > 0);
    const status = page.getByRole('status').first();
    await assert.doesNotReject(
      status.filter({ hasText: newest }).waitFor({ timeout: 5_000 }),
      `the live region announces "${newest}"`,
    );
    await screenshot(page, 'live-update');
    const violations = await axe(page);
    assert.equal(violations.length, 0, `axe violations:\n${formatViolations(violations)}`);
    await page.context().close();
  });

  test('with reduced motion the new checkpoint is marked without animation', () =>
    withOwnProxy({}, async (own) => {
      const page = await newPage(browser, { reducedMotion: 'reduce' });
      await page.goto(`${own.baseUrl}/?tracking_number=${DEMO.InTransit}&slug=${DEMO.slug}`);
      await page.locator('li.ev').first().waitFor({ state: 'visible', timeout: 20_000 });
      const fresh = await advanceUntilFresh(own, page);
      const animation = await fresh.first().evaluate((el) => getComputedStyle(el).animationName);
      assert.equal(animation, 'none');
      await page.context().close();
    }));

  // Regression: a live update rewrites the result, and an expanded "Show all" collapsed.
  // Regression (focus): a live update rewrites the result, and the focused "Show all"
  // toggle went with it, dropping a keyboard user's focus back to the top of the page.
  test('a live update keeps an expanded history expanded, and its focused toggle focused', () =>
    withOwnProxy({}, async (own) => {
      const page = await openInTransit(own);
      const toggle = page.locator('details.more > summary');
      await toggle.waitFor({ state: 'visible', timeout: 20_000 });
      await toggle.focus();
      await page.keyboard.press('Enter');
      const isOpen = () => page.locator('details.more').evaluate((d) => d.open);
      assert.equal(await isOpen(), true);
      const toggleFocused = () =>
        page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.matches('details.more > summary') === true);
      assert.equal(await toggleFocused(), true);
      await advanceUntilFresh(own, page);
      assert.equal(await isOpen(), true, 'still expanded after the update');
      assert.equal(await toggleFocused(), true, 'the toggle still has focus after the update');
      // And the keyboard goes on from there: Enter collapses the history.
      await page.keyboard.press('Enter');
      assert.equal(await isOpen(), false);
      // A new lookup starts collapsed again.
      await page.getByRole('button', { name: 'Track' }).click();
      await page.locator('li.ev.new').waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await isOpen(), false);
      await page.context().close();
    }));

  // Regression: the widget flipped its own record of the toggle on each click, so a history
  // the browser opened without a click (find-in-page does) was recorded inverted from then
  // on, and live updates opened what the shopper had just closed.
  test('a history opened without a click stays as the next click leaves it', () =>
    withOwnProxy({}, async (own) => {
      const page = await openInTransit(own);
      const details = page.locator('details.more');
      await details.waitFor({ state: 'attached', timeout: 20_000 });
      await details.evaluate((d) => { d.open = true; });
      await page.locator('details.more > summary').click();
      const isOpen = () => details.evaluate((d) => d.open);
      assert.equal(await isOpen(), false);
      await advanceUntilFresh(own, page);
      assert.equal(await isOpen(), false, 'still closed after the update');
      await page.context().close();
    }));

  test('the stream is closed when the widget unmounts', () =>
    // A short keep-alive, so the proxy notices the closed connection quickly.
    withOwnProxy({ env: { TRACKFRONT_SSE_KEEPALIVE: '1s' } }, async (own) => {
      const openStreams = async () => {
        const text = await (await fetch(`${own.baseUrl}/metrics`)).text();
        return Number(/^trackfront_live_streams (\d+)$/m.exec(text)?.[1]);
      };
      const until = async (what, want) => {
        const deadline = Date.now() + 10_000;
        while ((await openStreams()) !== want) {
          assert.ok(Date.now() < deadline, `${what}: expected ${want} open streams`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      const page = await openInTransit(own);
      await page.locator('li.ev').first().waitFor({ state: 'visible', timeout: 20_000 });
      await until('subscribed while shown', 1);
      await page.evaluate(() => globalThis.trackfront.unmount(document.querySelector('[data-trackfront]')));
      await until('closed after unmount', 0);
      await page.context().close();
    }));
});
