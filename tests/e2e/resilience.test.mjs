// A bad room in a real browser: the presenter's database locked by another
// program while a phone votes, and the same phone opened in two tabs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TIMEOUT, cleanUp, eventually, launchChromium, pagesFromDisk, shots, startServer, text } from './lib.mjs';

let server;
let dataDir;
let browser;
let urls;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-resilience-'));
  server = await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', dataDir]);
  urls = { participant: server.participant, presenter: server.presenter };
  browser = await launchChromium();
});

after(() => cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir }));

async function phoneIn(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(urls.participant);
  return page;
}

// Another program holding the database's write lock for `seconds` (longer than the server waits).
function lockDatabase(seconds) {
  const script = 'import sqlite3, sys, time\n'
    + 'c = sqlite3.connect(sys.argv[1], isolation_level=None)\n'
    + 'c.execute("BEGIN IMMEDIATE")\nprint("locked", flush=True)\ntime.sleep(float(sys.argv[2]))\nc.execute("ROLLBACK")\n';
  const child = spawn('python3', ['-c', script, path.join(dataDir, 'handsup.sqlite3'), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise((resolve) => child.stdout.once('data', resolve));
  const released = new Promise((resolve) => child.once('exit', resolve));
  return { locked, released };
}

test('a vote refused because the disk is locked is sent again by itself until it is stored', async () => {
  const presenter = await browser.newPage();
  presenter.setDefaultTimeout(TIMEOUT);
  await presenter.goto(urls.presenter);
  // Connected once it numbers the slides, whatever the demo's length.
  await eventually('the presenter is connected', async () => /^1 \/ \d+$/.test(await text(presenter, '#slide-number')), true);
  // The demo's first question is on slide 3.
  await presenter.keyboard.press('ArrowRight');
  await presenter.keyboard.press('ArrowRight');
  const context = await browser.newContext();
  await pagesFromDisk(context);
  const phone = await phoneIn(context);
  await eventually('the question', () => text(phone, '#h'), 'How did you get here today?');

  const lock = lockDatabase(7);
  await lock.locked;
  await phone.getByRole('button', { name: 'By bike', exact: true }).click();
  // The server waits 5 s for the lock, then says it could not store the vote; the page keeps it.
  await eventually('not saved, trying again',
    () => text(phone, '#status'), "Not saved yet: the presenter's laptop could not store it. Trying again…", 12_000);
  await eventually('the presenter sees the storage alert', async () => (await text(presenter, '#storage')).length > 0, true);
  await phone.screenshot({ path: path.join(shots, 'phone-storage-retry.png') });
  await lock.released;
  // Nobody taps again: the page's next try goes through.
  await eventually('saved by itself', () => text(phone, '#status'),
    'Saved. You can change your answer until voting closes.', 30_000);
  await eventually('one answer counted', () => text(presenter, '#respondents'), '1');
  assert.equal(await phone.getByRole('button', { name: 'By bike', exact: true }).getAttribute('aria-pressed'), 'true');
  await context.close();
  await presenter.close();
});

test('the same phone in a second tab: the first says so and can take over', async () => {
  // One context: one localStorage, so both tabs are the same participant.
  const context = await browser.newContext();
  await pagesFromDisk(context);
  const first = await phoneIn(context);
  await eventually('first tab connected', async () => (await text(first, '#h')).length > 0 && (await text(first, '#net')) === '', true);
  const second = await phoneIn(context);
  await eventually('second tab connected', async () => (await text(second, '#net')) === '', true);
  const takeOver = first.getByRole('button', { name: 'Answer on this page instead', exact: true });
  await eventually('the first tab says another tab answers now', () => text(first, '#net'),
    'This page is open in another tab or window, which answers for you now.');
  assert.equal(await takeOver.isVisible(), true);
  await first.screenshot({ path: path.join(shots, 'phone-replaced.png') });
  await takeOver.click();
  await eventually('the first tab is back', () => text(first, '#net'), '');
  await eventually('the second tab offers the same', () =>
    second.getByRole('button', { name: 'Answer on this page instead', exact: true }).isVisible(), true);
  await context.close();
});
