// What the end-to-end tests share: where things are, polling, and launching Chromium.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.HANDSUP_BIN || path.join(repo, 'target', 'debug', 'handsup');
export const shots = path.join(repo, 'target', 'test-screenshots');
export const TIMEOUT = 10_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until `read()` deep-equals `expected`; on timeout, says what it last saw.
export async function eventually(what, read, expected, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      assert.deepEqual(last, expected);
      return;
    } catch (err) {
      if (!(err instanceof assert.AssertionError)) last = err.message;
    }
    if (Date.now() > end) {
      assert.fail(`${what}: expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)} (after ${timeout} ms)`);
    }
    await sleep(50);
  }
}

// Debian's Chromium, headless, with nothing that would reach for the internet.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
