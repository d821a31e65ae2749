// Headless Debian Chromium for the browser checks of scripts/e2e.d (playwright-core drives it).
// Chromium: /usr/bin/chromium, or CHROMIUM_PATH; when missing, scripts/ci-install-tools.sh installs
// Debian's package first. The flags keep it off this machine's closed network (background
// networking, component updates and sync would each try, and fail, to reach Google).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium's path, installed first when missing; prints `not ok` and exits when it cannot be had. */
export function ensureChromium(checkName) {
  if (!fs.existsSync(EXECUTABLE) && !process.env.CHROMIUM_PATH) {
    console.log(`${checkName}: no Chromium at ${EXECUTABLE}: running scripts/ci-install-tools.sh`);
    spawnSync('bash', [path.join(ROOT, 'scripts', 'ci-install-tools.sh')], { stdio: 'inherit' });
  }
  if (!fs.existsSync(EXECUTABLE)) {
    console.log(`not ok - Chromium is available at ${EXECUTABLE} (install it: scripts/ci-install-tools.sh, or set CHROMIUM_PATH)`);
    process.exit(1);
  }
  return EXECUTABLE;
}

/**
 * Runs `use(page)` in a fresh headless Chromium profile, then closes the browser and removes the
 * profile, whatever `use` did.
 */
export async function withBrowserPage(use, { viewport = { width: 1280, height: 900 } } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport,
  });
  try {
    return await use(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
