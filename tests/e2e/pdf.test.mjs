// PDF decks in a real browser against `handsup serve talk.pdf`: every page a slide, drawn by the
// server at the width of the window that shows it, edge to edge on the projector and fitted to the
// presenter's previews; a companion talk.md puts a question between pages.
// Screenshots go to target/test-screenshots/pdf-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanUp, eventually, launchChromium, openWatchedPage, shots, startServer, text } from './lib.mjs';

// A PDF of `pages` 16:9 pages, written by hand: a blue band with "Slide N of M" in Helvetica,
// a line of text and an orange square in the lower right corner.
function slidesPdf(pages) {
  const kids = Array.from({ length: pages }, (_, n) => `${4 + 2 * n} 0 R`).join(' ');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  for (let n = 1; n <= pages; n++) {
    const content = '0.18 0.37 0.82 rg 0 420 960 120 re f\n'
      + `BT /F1 44 Tf 1 1 1 rg 40 463 Td (Slide ${n} of ${pages}) Tj ET\n`
      + `BT /F1 28 Tf 0.1 0.1 0.1 rg 40 330 Td (Page ${n}, drawn by the server) Tj ET\n`
      + '0.84 0.37 0 rg 760 40 160 160 re f\n';
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * (n - 1)} 0 R >>`);
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}endstream`);
  }
  // All ASCII: a character is a byte, so the string's lengths are the xref's offsets.
  let out = '%PDF-1.4\n';
  const offsets = objects.map((object, at) => {
    const offset = out.length;
    out += `${at + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const COMPANION = `![](talk.pdf#page=1)

---

<!-- question: single -->
# Ready?
- Yes
- No

---

![](talk.pdf#page=2)
`;

let browser;
const servers = [];
const pageErrors = [];

// `handsup serve talk.pdf` in a fresh folder holding the PDF and, when given, its companion deck.
async function servePdf(name, pages, companion) {
  const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `handsup-${name}-`)));
  fs.writeFileSync(path.join(dataDir, 'talk.pdf'), slidesPdf(pages));
  if (companion) fs.writeFileSync(path.join(dataDir, 'talk.md'), companion);
  const server = { ...await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', path.join(dataDir, 'data'), path.join(dataDir, 'talk.pdf')]), dataDir };
  servers.push(server);
  return server;
}

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  for (const server of servers) await cleanUp({ server: server.child, exited: server.exited, dataDir: server.dataDir });
  await cleanUp({ browser });
});

// The PDF page on a stage, once loaded: its src, where its picture is drawn (object-fit: contain
// in the image's box) and the stage's box, in window pixels; null while it loads.
const pageOn = (page, stageId) => page.evaluate((id) => {
  const stage = document.getElementById(id);
  const img = stage.querySelector('img.pdf-page');
  if (!img || !img.complete || !(img.naturalWidth > 0)) return null;
  const box = img.getBoundingClientRect();
  const scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
  const [width, height] = [img.naturalWidth * scale, img.naturalHeight * scale];
  const s = stage.getBoundingClientRect();
  return {
    src: img.getAttribute('src'),
    page: stage.classList.contains('page'),
    picture: { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height },
    stage: { x: s.x, y: s.y, width: s.width, height: s.height },
  };
}, stageId);

// Waits for page `n` on a stage, asked for at least `width` device pixels (a pane that shrank
// since keeps its sharper page), and returns what pageOn saw with the width asked for.
async function pageShown(page, stageId, n, width) {
  let shown;
  await eventually(`page ${n} loaded on #${stageId}, asked for at least ${width} px`, async () => {
    shown = await pageOn(page, stageId);
    const asked = shown && new RegExp(`\\?page=${n}&width=(\\d+)$`).exec(shown.src);
    return !!asked && Number(asked[1]) >= width;
  }, true);
  return { ...shown, width: Number(/width=(\d+)$/.exec(shown.src)[1]) };
}

// The stage's width on screen in device pixels: what its PDF pages should ask for.
const stageWidth = (page, stageId) => page.evaluate(
  (id) => Math.round(document.getElementById(id).getBoundingClientRect().width * devicePixelRatio), stageId);

// The picture as wide or as high as the stage, and centred on it.
function assertCovers({ picture, stage }, what) {
  const near = (a, b) => Math.abs(a - b) <= 3;
  assert.ok(near(picture.width, stage.width) || near(picture.height, stage.height),
    `${what}: the page fills the stage (${JSON.stringify({ picture, stage })})`);
  assert.ok(near(picture.x + picture.width / 2, stage.x + stage.width / 2) && near(picture.y + picture.height / 2, stage.y + stage.height / 2),
    `${what}: the page is centred (${JSON.stringify({ picture, stage })})`);
}

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('a PDF deck shows each page edge to edge on the projector, drawn at the window\'s width', async () => {
  const server = await servePdf('pdf', 3);
  const presenter = await openWatchedPage(browser, server.presenter, { viewport: { width: 1280, height: 800 } }, { pageErrors });
  await eventually('three slides', () => text(presenter, '#slide-number'), '1 / 3');
  const projector = await openWatchedPage(browser, `${server.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } }, { pageErrors });
  const asked = [];
  projector.on('request', (request) => asked.push(request.url()));

  // The first slide keeps its large join code: the page sits beside it, not under it.
  const first = await pageShown(projector, 'stage', 1, 1920);
  assert.equal(first.width, 1920, 'the page is drawn for the projector\'s width');
  assert.ok(first.page, 'a slide of one page is drawn as a page');
  const join = await projector.locator('#join').boundingBox();
  assert.ok(!overlap(first.picture, join), `the first page leaves the join code clear: ${JSON.stringify({ picture: first.picture, join })}`);
  assert.ok(first.picture.width > 800, `the first page is large beside the code: ${first.picture.width} px`);
  await projector.screenshot({ path: path.join(shots, 'pdf-projector-first.png') });
  // The next page is fetched ahead, at the projector's width.
  // (Read from the page's own resource timing: the fetch may precede this test's request listener.)
  await eventually('page 2 fetched ahead', () => projector.evaluate(() => performance.getEntriesByType('resource')
    .some((entry) => entry.name.endsWith('?page=2&width=1920'))), true);

  await presenter.keyboard.press('ArrowRight');
  await eventually('the presenter on page 2', () => text(presenter, '#slide-number'), '2 / 3');
  const second = await pageShown(projector, 'stage', 2, 1920);
  assert.equal(second.width, 1920);
  assertCovers(second, 'page 2 on the projector');
  // The join banner is on every slide, over the page's corner.
  assert.ok(await projector.locator('#join').isVisible(), 'the join banner shows on a page');
  await projector.screenshot({ path: path.join(shots, 'pdf-projector.png') });

  // The presenter's previews ask for their own, smaller, size and fit the page to their box.
  for (const [id, n] of [['stage', 2], ['next-stage', 3]]) {
    const width = await stageWidth(presenter, id);
    assert.ok(width > 100 && width < 1280, `#${id} is a preview: ${width} px`);
    const shown = await pageShown(presenter, id, n, width);
    assert.ok(shown.width < 1280, `#${id} asks for a preview's width: ${shown.width} px`);
    assertCovers(shown, `page ${n} on #${id}`);
  }
  await presenter.screenshot({ path: path.join(shots, 'pdf-presenter.png') });

  // A window made smaller keeps its sharper page; one made larger asks for a sharper one.
  await projector.setViewportSize({ width: 1280, height: 720 });
  await projector.setViewportSize({ width: 2560, height: 1440 });
  const larger = await pageShown(projector, 'stage', 2, 2560);
  assert.equal(larger.width, 2560);
  assertCovers(larger, 'page 2 on a larger projector');
  await projector.setViewportSize({ width: 1280, height: 720 });
  await projector.waitForTimeout(600);
  assert.match((await pageOn(projector, 'stage')).src, /\?page=2&width=2560$/);

  await presenter.context().close();
  await projector.context().close();
  assert.deepEqual(pageErrors, []);
});

test('a companion deck beside the PDF puts a question between its pages', async () => {
  const server = await servePdf('pdf-companion', 3, COMPANION);
  const presenter = await openWatchedPage(browser, server.presenter, { viewport: { width: 1280, height: 800 } }, { pageErrors });
  await eventually('three slides', () => text(presenter, '#slide-number'), '1 / 3');
  await pageShown(presenter, 'stage', 1, await stageWidth(presenter, 'stage'));

  await presenter.keyboard.press('ArrowRight');
  await eventually('the presenter on the question', () => text(presenter, '#slide-number'), '2 / 3');
  assert.equal(await text(presenter, '#slide h1'), 'Ready?');
  assert.ok(await presenter.locator('#results').isVisible(), 'the second slide is the question');
  assert.equal(await presenter.locator('#stage.page').count(), 0, 'a question is not drawn as a page');
  assert.deepEqual(await presenter.locator('#bars li .label').allTextContents(), ['Yes', 'No']);

  await presenter.keyboard.press('ArrowRight');
  await eventually('the presenter on the last slide', () => text(presenter, '#slide-number'), '3 / 3');
  await pageShown(presenter, 'stage', 2, await stageWidth(presenter, 'stage'));
  await presenter.context().close();
  assert.deepEqual(pageErrors, []);
});

test('with phones: slides, a 320 px phone shows the page on screen between questions, and the question on a question slide', async () => {
  const server = await servePdf('pdf-phones', 3, `---\nphones: slides\n---\n\n${COMPANION}`);
  const presenter = await openWatchedPage(browser, server.presenter, { viewport: { width: 1280, height: 800 } }, { pageErrors });
  await eventually('three slides', () => text(presenter, '#slide-number'), '1 / 3');
  const phone = await openWatchedPage(browser, server.participant, { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }, { pageErrors });
  const picture = () => phone.evaluate(() => {
    const img = document.getElementById('sl');
    if (!img || img.hidden || !img.complete || !(img.naturalWidth > 0)) return null;
    const box = img.getBoundingClientRect();
    return { src: img.getAttribute('src'), naturalWidth: img.naturalWidth, width: Math.round(box.width), right: Math.round(box.right) };
  });
  await eventually('page 1 on the phone', async () => (await picture())?.src.startsWith('slide/0?v='), true);
  const first = await picture();
  assert.equal(first.naturalWidth, 960, 'drawn for a phone');
  assert.ok(first.width >= 280 && first.right <= 320, `the page fits the phone's width: ${JSON.stringify(first)}`);
  assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 320, 'nothing scrolls sideways');
  await phone.screenshot({ path: path.join(shots, 'pdf-phone-320.png'), fullPage: true });

  await presenter.keyboard.press('ArrowRight');
  await eventually('the question on the phone', () => text(phone, '#h'), 'Ready?');
  assert.equal(await picture(), null, 'a question shows itself, not the slide');
  await presenter.keyboard.press('ArrowRight');
  await eventually('page 2 on the phone', async () => (await picture())?.src.startsWith('slide/2?v='), true);
  await phone.screenshot({ path: path.join(shots, 'pdf-phone-320-page2.png'), fullPage: true });
  await phone.context().close();
  await presenter.context().close();
  assert.deepEqual(pageErrors, []);
});
