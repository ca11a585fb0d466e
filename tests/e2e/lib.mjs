// What the end-to-end tests share: where things are, polling, and launching Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
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

// Starts `handsup serve ARGS…` and resolves once it printed both URL lines, with
// { child, exited, participant, presenter, log() }. Both pipes are drained for
// the whole run: a full pipe would block the server.
export function startServer(args) {
  assert.ok(fs.existsSync(bin), `no handsup binary at ${bin}: build it first, or set HANDSUP_BIN`);
  const child = spawn(bin, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const lines = readline.createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error(`server printed no URLs within 60 s:\n${log}`)), 60_000);
    lines.on('line', (line) => {
      log = (log + line + '\n').slice(-20_000);
      for (const key of ['participant', 'presenter']) {
        if (line.startsWith(`${key}: `)) found[key] = line.slice(key.length + 2).trim();
      }
      if (found.participant && found.presenter) {
        clearTimeout(timer);
        resolve({ child, exited, participant: found.participant, presenter: found.presenter, log: () => log });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log}`));
    });
  });
}
