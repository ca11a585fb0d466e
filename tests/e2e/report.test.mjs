// The printable report a session leaves behind, opened as a reader opens it: five phones answer a
// choice question, a word cloud and an open question against `handsup serve` (some of them with
// markup for words), the server stops, `handsup export --format html` writes the report, and
// headless Chromium opens it from disk. The report asks for nothing over the network, runs none of
// the participants' markup but shows it as text, draws one chart per choice or cloud question, fits
// a 320 px screen and prints to PDF. Screenshots go to target/test-screenshots/report-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, cleanUp, eventually, launchChromium, origin, shots, sleep, Socket, startOnDeck, TIMEOUT } from './lib.mjs';

const TITLE = 'Review <day> & friends';
const DECK = `---
title: ${TITLE}
---

# Welcome

---

<!-- question: single id=drink -->
# Coffee or tea?
- Coffee
- Tea

---

<!-- question: wordcloud max=2 id=words -->
# One word?

---

<!-- question: open id=ideas -->
# Ideas?
`;
const SLIDE = { drink: 1, words: 2, ideas: 3 };

// Markup a participant may type; if the report ever ran it, window.__pwned would be set.
const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '<script>window.__pwned=1</script>';

// What each of the five phones answers: Coffee three times, Tea twice.
const ANSWERS = {
  drink: [[0], [0], [0], [1], [1]].map((choices) => ({ choices })),
  words: [[SCRIPT, 'Rust'], ['Rust', 'fast'], [IMG], ['rust'], ['fast']].map((words) => ({ words })),
  ideas: [IMG, SCRIPT, 'Shorter meetings & more <b>coffee</b>'].map((text) => ({ text })),
};

let server;
let browser;
let desk;
const phones = [];
let reportFile;


// `handsup ARGS…`, run to the end: { status, stdout, stderr }.
const handsup = (...args) => spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });

before(async () => {
  server = await startOnDeck('report', DECK);
  reportFile = path.join(server.dataDir, 'report.html');
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  const presenter = new URL(server.presenter);
  desk = new Socket(`ws://${presenter.host}/ws?token=${presenter.searchParams.get('token')}`, origin(server.presenter));
  await desk.opened;
  for (let i = 0; i < 5; i++) {
    const phone = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
    await phone.opened;
    phone.send({ type: 'hello', participant: `report-phone-${i}` });
    phones.push(phone);
  }
  for (const phone of phones) await eventually('the phone\'s first state', () => !!phone.last('state'), true);
});

after(async () => {
  desk?.ws.terminate();
  for (const phone of phones) phone.ws.terminate();
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

test('five phones answer a choice question, a word cloud and an open question, markup included', { timeout: 60_000 }, async () => {
  for (const [question, slide] of Object.entries(SLIDE)) {
    desk.send({ type: 'goto', slide });
    desk.send({ type: 'open_voting' });
    await eventually(`voting open on ${question}`, () => {
      const state = desk.last('state');
      return [state?.slide, state?.voting];
    }, [slide, 'open']);
    for (const phone of phones) {
      await eventually(`${question} on the phone`, () => {
        const state = phone.last('state');
        return [state?.question?.id, state?.voting];
      }, [question, 'open']);
    }
    for (const [i, answer] of ANSWERS[question].entries()) {
      const reply = await phones[i].request({ type: 'vote', question, answer }, ['ack']);
      assert.equal(reply.type, 'ack', `phone ${i} on ${question}: ${JSON.stringify(reply)}`);
    }
  }
  desk.send({ type: 'goto', slide: SLIDE.drink });
  await eventually('the presenter\'s count for Coffee or tea?', () => {
    const results = desk.last('state')?.results;
    return results?.question === 'drink' ? results.counts : null;
  }, [3, 2]);
});

test('the server stops on SIGTERM, and `handsup export --format html` writes the report', { timeout: 60_000 }, async () => {
  server.child.kill('SIGTERM');
  const exit = await Promise.race([server.exited, sleep(15_000).then(() => ({ code: 'still running after 15 s' }))]);
  assert.deepEqual(exit, { code: 0, signal: null }, `server log:\n${server.log()}`);
  const done = handsup('export', '--format', 'html', '--data', path.join(server.dataDir, 'data'), '--out', reportFile);
  assert.equal(done.status, 0, `export failed:\n${done.stderr}`);
  assert.ok(fs.statSync(reportFile).size > 0, 'the report is not empty');
});

test('the report, opened from disk: no requests, no script, markup as text, one chart per question', { timeout: 60_000 }, async (t) => {
  const url = pathToFileURL(reportFile).href;
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const requests = [];
  const pageErrors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('dialog', (dialog) => { pageErrors.push(`dialog: ${dialog.message()}`); dialog.dismiss().catch(() => {}); });
  await page.goto(url, { waitUntil: 'load' });
  await sleep(300);

  assert.deepEqual(requests, [url], 'the report asks for nothing but itself');
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', 'no participant markup ran');
  assert.equal(await page.locator('script, img, iframe, object, embed, b').count(), 0, 'no participant markup became an element');
  assert.equal(await page.locator('h1').textContent(), TITLE);
  assert.equal(await page.title(), `${TITLE} — results`);

  const section = (prompt) => page.locator('section.question').filter({ has: page.getByRole('heading', { name: prompt, exact: true }) });
  const drink = section('Coffee or tea?');
  const words = section('One word?');
  const ideas = section('Ideas?');
  for (const s of [drink, words, ideas]) assert.equal(await s.count(), 1);
  assert.equal(await page.locator('.chart').count(), 2, 'two charts in all');
  assert.deepEqual([await drink.locator('.chart').count(), await words.locator('svg.chart').count(), await ideas.locator('.chart').count()],
    [1, 1, 0], 'one chart per choice or cloud question, none for open text');
  assert.equal(await drink.locator('.bars svg.bar').count(), 2, 'each bar an inline SVG');

  // The bars: Coffee's (3 votes) longer than Tea's (2).
  const bars = await drink.locator('.bars').evaluate((list) => Object.fromEntries([...list.querySelectorAll('.row')]
    .map((row) => [row.querySelector('.label').textContent, row.querySelector('rect').getBoundingClientRect().width])));
  assert.deepEqual(Object.keys(bars), ['Coffee', 'Tea']);
  assert.ok(bars.Coffee > bars.Tea && bars.Tea > 0, `bar widths: ${JSON.stringify(bars)}`);
  assert.deepEqual(await drink.locator('.value').allTextContents(), ['3 votes (60%)', '2 votes (40%)']);

  // The typed markup, shown as the participants typed it.
  const cloud = await words.locator('text.word').allTextContents();
  for (const word of [SCRIPT, IMG, 'Rust', 'fast']) assert.ok(cloud.includes(word), `${word} in the cloud: ${JSON.stringify(cloud)}`);
  await words.getByText(SCRIPT, { exact: true }).waitFor({ state: 'visible' });
  assert.deepEqual(await ideas.locator('.posts li').evaluateAll((list) => list.map((li) => [li.textContent, li.childElementCount])),
    ANSWERS.ideas.map(({ text }) => [text, 0]));
  await ideas.getByText(IMG, { exact: true }).waitFor({ state: 'visible' });
  await ideas.getByText(SCRIPT, { exact: true }).waitFor({ state: 'visible' });
  assert.ok(await page.getByText('<img src=x').first().isVisible());

  await page.screenshot({ path: path.join(shots, 'report-desktop.png'), fullPage: true });

  // A phone: nothing wider than the screen.
  await page.setViewportSize({ width: 320, height: 640 });
  await sleep(100);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320 + 1, `the report scrolls sideways at 320 px: ${width} px wide`);
  await page.screenshot({ path: path.join(shots, 'report-phone.png'), fullPage: true });
  // The bar labels and values are page text: as large on a phone as anywhere.
  const labelSizes = await drink.locator('.label, .value').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
  assert.ok(Math.min(...labelSizes) >= 14, `bar text at 320 px: ${labelSizes}`);
  const sizes = await page.evaluate(() => [...document.querySelectorAll('svg text')].map((el) => {
    const svg = el.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(el).fontSize) * scale;
  }));
  t.diagnostic(`cloud words at 320 px: ${Math.min(...sizes).toFixed(1)} to ${Math.max(...sizes).toFixed(1)} px`);

  // Printed: a PDF.
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000, `a PDF of ${pdf.length} bytes`);
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');

  assert.deepEqual(requests, [url], 'nothing asked for while resized and printed either');
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
  assert.deepEqual(pageErrors, [], 'no script errors, no dialogs');
  await context.close();
});

test('export refuses a workbook without --out, and a format it does not write', () => {
  const data = path.join(server.dataDir, 'data');
  const xlsx = handsup('export', '--format', 'xlsx', '--data', data);
  assert.notEqual(xlsx.status, 0, 'xlsx to standard output is refused');
  assert.match(xlsx.stderr, /--out/, `the refusal says what to do: ${xlsx.stderr}`);
  assert.equal(xlsx.stdout, '', 'and writes nothing');

  const pdfFile = path.join(server.dataDir, 'report.pdf');
  const pdf = handsup('export', '--format', 'pdf', '--data', data, '--out', pdfFile);
  assert.notEqual(pdf.status, 0, 'pdf is refused');
  assert.match(pdf.stderr, /csv, xlsx, html or handsup/, `the refusal lists the formats: ${pdf.stderr}`);
  assert.equal(fs.existsSync(pdfFile), false, 'and writes no file');
});
