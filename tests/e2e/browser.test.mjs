// End to end in a real browser: a presenter and three phones against `handsup serve`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TIMEOUT, eventually, launchChromium, pagesFromDisk, shots, sleep, startServer, cleanUp } from './lib.mjs';

let server;
let serverExit;
let serverLog = () => '';
let dataDir;
let browser;
let urls;
let presenter;
let phones = [];
const pageErrors = [];

const text = (page, selector) => page.locator(selector).first().textContent({ timeout: TIMEOUT }).then((t) => (t ?? '').trim());
const number = (page, selector) => text(page, selector).then(Number);
const pressed = (page, name) => page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed', { timeout: TIMEOUT });

async function openPage(url, contextOptions) {
  const context = await browser.newContext(contextOptions);
  await pagesFromDisk(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[browser console] ${msg.text()}`);
  });
  await page.goto(url);
  return page;
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-browser-'));
  const started = await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', dataDir]);
  server = started.child;
  serverExit = started.exited;
  serverLog = started.log;
  urls = { participant: started.participant, presenter: started.presenter };
  browser = await launchChromium();
});

after(() => cleanUp({ browser, server, exited: serverExit, dataDir }));

test('three phones vote and the presenter shows the exact counts', async () => {
  presenter = await openPage(urls.presenter, { viewport: { width: 1280, height: 720 } });
  // Separate contexts: separate localStorage, so three distinct participants.
  for (let i = 0; i < 3; i++) {
    phones.push(await openPage(urls.participant, { viewport: { width: 390, height: 844 }, hasTouch: true }));
  }

  await eventually('participants on the presenter', () => number(presenter, '#participants'), 3);
  await eventually('join address on the presenter', () => text(presenter, '#join-url'), urls.participant);
  const slideNumber = await text(presenter, '#slide-number');
  const match = /^(\d+) \/ (\d+)$/.exec(slideNumber);
  assert.ok(match, `slide number looks like "1 / 7", got ${JSON.stringify(slideNumber)}`);
  assert.equal(match[1], '1', 'the presenter starts on the first slide');
  const slides = Number(match[2]);
  const qr = await presenter.locator('#qr').boundingBox();
  assert.ok(qr && qr.height >= 720 / 3, `QR code on the title slide is at least a third of the screen high (got ${qr?.height})`);
  for (const phone of phones) {
    await eventually('phone waits for a question', () => text(phone, 'h1'), 'Waiting for the next question');
  }

  // Clickers send these keys; walk forward with each of them until a question shows.
  const keys = ['ArrowRight', 'PageDown', 'Space'];
  let slide = 1;
  while (!(await presenter.locator('#results').isVisible())) {
    assert.ok(slide < slides, 'the demo deck has a question slide');
    await presenter.keyboard.press(keys[(slide - 1) % keys.length]);
    slide += 1;
    await eventually('slide number after a key press', () => text(presenter, '#slide-number'), `${slide} / ${slides}`);
  }

  // Back and forward again: the previous keys work, and Space is a clicker's "next" too.
  await presenter.keyboard.press('ArrowLeft');
  await eventually('slide number after ArrowLeft', () => text(presenter, '#slide-number'), `${slide - 1} / ${slides}`);
  await presenter.keyboard.press('Space');
  await eventually('slide number after Space', () => text(presenter, '#slide-number'), `${slide} / ${slides}`);

  // Typing in a form field must not move the slides.
  await presenter.evaluate(() => {
    const field = document.createElement('input');
    field.id = 'typing-test';
    document.body.append(field);
    field.focus();
  });
  await presenter.keyboard.press('ArrowRight');
  await presenter.keyboard.press('Space');
  await sleep(300);
  assert.equal(await text(presenter, '#slide-number'), `${slide} / ${slides}`, 'keys in a text field leave the slide alone');
  await presenter.evaluate(() => document.getElementById('typing-test').remove());

  const options = await presenter.locator('#bars li .label').allTextContents();
  assert.ok(options.length >= 2, `a question has at least two options, got ${JSON.stringify(options)}`);
  const [a, b] = options;
  await eventually('voting opens when the question is reached', () => text(presenter, '#voting-status'), 'Voting open');
  await eventually('no answers yet', () => number(presenter, '#respondents'), 0);

  const vote = async (phone, option) => {
    await phone.getByRole('button', { name: option, exact: true }).click();
    await eventually('phone status after a vote', async () => (await text(phone, '#status')).startsWith('Saved'), true);
    assert.equal(await pressed(phone, option), 'true', `${option} is shown as selected`);
  };
  await vote(phones[0], a);
  await vote(phones[1], a);
  await vote(phones[2], b);

  const count = (i) => number(presenter, `#bars li[data-option="${i}"] .count`);
  await eventually('count for A', () => count(0), 2);
  await eventually('count for B', () => count(1), 1);
  await eventually('answers so far', () => number(presenter, '#respondents'), 3);

  // A changed vote replaces the old one: it must not be counted twice.
  await vote(phones[1], b);
  assert.equal(await pressed(phones[1], a), 'false', 'the old choice is no longer selected');
  await eventually('count for A after a change', () => count(0), 1);
  await eventually('count for B after a change', () => count(1), 2);
  await eventually('answers after a change', () => number(presenter, '#respondents'), 3);
  await eventually('percentage for B', () => text(presenter, '#bars li[data-option="1"] .pct'), '67%');
  // Bar lengths follow the counts once the animation settles.
  const barPercent = (i) => presenter.locator(`#bars li[data-option="${i}"]`).evaluate((li) => {
    const fill = li.querySelector('.fill').getBoundingClientRect();
    const track = li.querySelector('.track').getBoundingClientRect();
    return Math.round((fill.width / track.width) * 100);
  });
  await eventually('bar length for A', () => barPercent(0), 33);
  await eventually('bar length for B', () => barPercent(1), 67);

  await presenter.getByRole('button', { name: 'Close voting', exact: true }).click();
  await eventually('presenter voting status', () => text(presenter, '#voting-status'), 'Voting closed');
  await eventually('phone says voting is closed',
    async () => (await text(phones[0], '#status')).startsWith('Voting is closed'), true);
  assert.equal(await phones[0].getByRole('button', { name: a, exact: true }).isDisabled(), true,
    'options are disabled once voting is closed');

  fs.mkdirSync(shots, { recursive: true });
  await presenter.screenshot({ path: path.join(shots, 'browser-presenter.png'), animations: 'disabled' });
  await phones[0].screenshot({ path: path.join(shots, 'browser-phone.png'), animations: 'disabled' });
});

test('a reloaded phone is the same participant and shows its stored answer', async () => {
  const phone = phones[1];
  await phone.reload();
  const options = await presenter.locator('#bars li .label').allTextContents();
  await eventually('stored answer after reload', () => pressed(phone, options[1]), 'true');
  assert.equal(await pressed(phone, options[0]), 'false');
  await eventually('participants after reload', () => number(presenter, '#participants'), 3);
  await eventually('answers after reload', () => number(presenter, '#respondents'), 3);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('the server exits with code 0 on SIGTERM and the pages say they are offline', async () => {
  server.kill('SIGTERM');
  const exit = await Promise.race([serverExit, sleep(15_000).then(() => ({ code: 'still running after 15 s' }))]);
  assert.deepEqual(exit, { code: 0, signal: null }, `server log:\n${serverLog()}`);
  await eventually('phone offline notice',
    async () => (await text(phones[0], '#net')).includes('Reconnecting'), true);
  await eventually('presenter disconnected banner', () => presenter.locator('#connection').isVisible(), true);
});

test('after a restart on the same port and data, open pages rejoin by themselves', { timeout: 60_000 }, async () => {
  const port = new URL(urls.participant).port;
  const restarted = await startServer(['--bind', '127.0.0.1', '--port', port, '--data', dataDir]);
  server = restarted.child;
  serverExit = restarted.exited;
  serverLog = restarted.log;
  assert.equal(restarted.participant, urls.participant, 'the session resumes on the same address');
  // Nobody reloads anything: the phones' own backoff brings them back (at most 10 s apart).
  await eventually('phone back on the question', async () => (await text(phones[0], '#net')) === '', true, 20_000);
  await eventually('phone shows the question again', () => phones[0].locator('#opts button').count(), 4, 20_000);
  // The presenter keeps its token and port too, so its open page comes back by itself.
  assert.equal(restarted.presenter, urls.presenter, 'the presenter URL survives a restart');
  await eventually('presenter reconnected', () => presenter.locator('#connection').isVisible(), false, 20_000);
  await eventually('phones counted again', () => number(presenter, '#participants'), 3, 30_000);
  await eventually('answers kept', () => number(presenter, '#respondents'), 3, 20_000);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
