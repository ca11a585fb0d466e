// Injection payloads in a deck, rendered in headless Chromium on the presenter
// page and a phone: no script runs, no dialog opens, and the text shows as typed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INJECTIONS, TIMEOUT, eventually, injectionPayloads, launchChromium, shots, startServer } from './lib.mjs';

const PAYLOADS = injectionPayloads();
const PER_SLIDE = 25;

function deck() {
  let md = `---\ntitle: "${'<script>window.__xss++</script>'}"\n---\n\n# <img src=x onerror="window.__xss++"> Title\n\n`;
  md += INJECTIONS.slice(0, 12).map((p) => `${p}\n`).join('\n');
  md += '\n<!-- <script>window.__xss++</script> notes -->\n';
  for (let i = 0; i < PAYLOADS.length; i += PER_SLIDE) {
    md += `\n---\n\n<!-- question: multiple id=q${i} -->\n# Pick <svg onload="window.__xss++"> ${i}\n\n`;
    // A list marker at the start of an option would nest a list: the parser takes the line after "- ".
    md += PAYLOADS.slice(i, i + PER_SLIDE).map((p) => `- ${p}\n`).join('');
  }
  return md;
}

let server;
let serverExit;
let dataDir;
let browser;
const dialogs = [];
const errors = [];

async function open(url, viewport) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => { window.__xss = 0; });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss().catch(() => {}); });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return page;
}

let urls;
before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-xss-'));
  const deckPath = path.join(dataDir, 'hostile.md');
  fs.writeFileSync(deckPath, deck());
  const started = await startServer([deckPath, '--bind', '127.0.0.1', '--port', '0', '--data', dataDir]);
  server = started.child;
  serverExit = started.exited;
  urls = { participant: started.participant, presenter: started.presenter };
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await serverExit;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test(`${PAYLOADS.length} injection payloads render as text and never run`, { timeout: 180_000 }, async () => {
  assert.ok(PAYLOADS.length >= 300, `only ${PAYLOADS.length} payloads`);
  const presenter = await open(urls.presenter, { width: 1280, height: 720 });
  const phone = await open(urls.participant, { width: 390, height: 844 });
  await eventually('the title slide', () => presenter.locator('#slide h1').count(), 1);
  const title = await presenter.locator('#slide h1').textContent();
  assert.ok(title.includes('<img src=x onerror="window.__xss++">'), `title shown as ${JSON.stringify(title)}`);

  const slides = Math.ceil(PAYLOADS.length / PER_SLIDE);
  for (let s = 0; s < slides; s++) {
    await presenter.keyboard.press('ArrowRight');
    const expected = PAYLOADS.slice(s * PER_SLIDE, (s + 1) * PER_SLIDE);
    await eventually(`slide ${s + 1}: the phone's options`, () => phone.locator('#opts button .t').allTextContents(), expected);
    await eventually(`slide ${s + 1}: the presenter's labels`, () => presenter.locator('#bars .label').allTextContents(), expected);
    // Every result row is on screen: none pushed below the results area.
    const clipped = await presenter.evaluate(() => {
      const area = document.querySelector('#bars').getBoundingClientRect();
      return [...document.querySelectorAll('#bars li')].filter((li) => li.getBoundingClientRect().bottom > area.bottom + 1).length;
    });
    assert.equal(clipped, 0, `slide ${s + 1}: ${clipped} result rows are cut off`);
    // Every option is a button whose accessible name is exactly the payload.
    const first = phone.getByRole('button', { name: expected[0], exact: true });
    assert.equal(await first.count(), 1, `no button named ${JSON.stringify(expected[0])}`);
    if (s === 0) {
      fs.mkdirSync(shots, { recursive: true });
      await presenter.screenshot({ path: path.join(shots, 'xss-presenter.png') });
      await phone.screenshot({ path: path.join(shots, 'xss-phone.png'), fullPage: true });
    }
  }
  for (const page of [presenter, phone]) {
    assert.equal(await page.evaluate(() => window.__xss), 0, 'a payload ran');
    // The phone page has one script and its strings (JSON, never run).
    assert.equal(await page.locator('script:not([src]):not([type="application/json"])').count(), page === phone ? 1 : 0, 'a script element was injected');
    assert.equal(await page.locator('img:not(#qr):not(#remote-qr):not(#sl), svg, iframe, object, embed').count(), 0, 'markup was injected');
  }
  assert.deepEqual(dialogs, [], 'a dialog opened');
  assert.deepEqual(errors, [], 'script errors on the pages');
});
