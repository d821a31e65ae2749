#!/usr/bin/env node
// End-to-end step: Swagger UI in a real browser. Headless Debian Chromium (playwright-core)
// opens $BASE_URL/docs, switches the top bar's selector to each service, and checks that
// every operation of that service's OpenAPI document (as served through the gateway) is
// listed on the page. One screenshot per service under test-results/docs/.
// Chromium: /usr/bin/chromium, or CHROMIUM_PATH; when missing, scripts/ci-install-tools.sh
// installs Debian's package first (hence the long timeout below).
// e2e-timeout-seconds: 480
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium, withBrowserPage } from '../lib/browser.mjs';
import { BASE_URL, reporter, SERVICES } from '../lib/e2e-check.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(ROOT, 'test-results', 'docs');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// `ok - ...` / `not ok - ...` lines are what scripts/e2e.mjs counts as checks.
const { failures, fail } = reporter();

ensureChromium('30-docs-browser');

/** Operations ("GET /msg") a service's document declares, as the browser will load it. */
async function documentedOperations(service) {
  const res = await fetch(`${BASE_URL}/docs/${service}/openapi.json`);
  if (res.status !== 200) throw new Error(`${service}: /docs/${service}/openapi.json answered ${res.status}`);
  const doc = await res.json();
  return Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
}

/** Operations Swagger UI shows right now ("GET /msg"). */
async function listedOperations(page) {
  return page.$$eval('.opblock', (blocks) =>
    blocks.map((b) => {
      const method = b.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '?';
      const p =
        b.querySelector('[data-path]')?.getAttribute('data-path') ?? b.querySelector('.opblock-summary-path')?.textContent?.trim() ?? '?';
      return `${method.toUpperCase()} ${p.replace(/\u200b/g, '')}`;
    }),
  );
}

fs.mkdirSync(OUT, { recursive: true });
await withBrowserPage(async (page) => {
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  const res = await page.goto(`${BASE_URL}/docs`, { waitUntil: 'load', timeout: 30000 });
  if (!res || res.status() !== 200) fail(`/docs answered ${res?.status()}`);
  const select = page.locator('.topbar select, select#select').first();
  await select.waitFor({ state: 'visible', timeout: 20000 });
  const options = await select.locator('option').allTextContents();
  const absent = SERVICES.filter((s) => !options.some((o) => o.trim() === s));
  if (absent.length > 0) fail(`the definition selector lacks ${absent.join(', ')} (it lists ${options.join(', ')})`);
  else console.log(`ok - /docs opens in Chromium and its selector lists the ${SERVICES.length} services`);

  for (const service of SERVICES.filter((s) => options.some((o) => o.trim() === s))) {
    const expected = await documentedOperations(service);
    await select.selectOption({ label: service });
    // Swagger UI fetches the new document and re-renders: wait until the operations match.
    const deadline = Date.now() + 20000;
    let listed = [];
    let missing = expected;
    while (Date.now() < deadline) {
      listed = await listedOperations(page);
      missing = expected.filter((op) => !listed.includes(op));
      if (missing.length === 0 && listed.length === expected.length) break;
      await page.waitForTimeout(250);
    }
    await page.screenshot({ path: path.join(OUT, `${service}.png`), fullPage: true });
    if (expected.length === 0) fail(`${service}: its document lists no operation`);
    if (missing.length > 0) fail(`${service}: not listed in Swagger UI: ${missing.join(', ')}`);
    const extra = listed.filter((op) => !expected.includes(op));
    if (extra.length > 0) fail(`${service}: Swagger UI shows operations of another document: ${extra.slice(0, 5).join(', ')}`);
    if (missing.length === 0 && extra.length === 0)
      console.log(`ok - ${service}: ${expected.length} operations listed (screenshot test-results/docs/${service}.png)`);
  }
  if (pageErrors.length > 0) fail(`the page raised errors: ${pageErrors.join(' | ')}`);
});

if (failures.length > 0) {
  console.error(`30-docs-browser: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('30-docs-browser: Swagger UI lists every operation of every service');
