// Slide images in a real browser against `handsup serve`: an image beside the deck shows on
// the projector and in the presenter view, served from the deck's folder behind the presenter's
// secret; the phone page never gets it. Screenshots go to target/test-screenshots/images-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { cleanUp, eventually, launchChromium, openWatchedPage, shots, startServer } from './lib.mjs';

const DECK = `---
title: Site visit
---

# Where we meet

![A map of the site with the meeting point marked](img/site%20map.svg)

---

# Thank you
`;

// A drawing with text in it: whether it shows is visible in the screenshot too.
const MAP = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450">
<rect width="800" height="450" fill="#e8f0fa"/>
<path d="M40 380 L300 120 L520 300 L760 80" stroke="#0072B2" stroke-width="14" fill="none"/>
<circle cx="520" cy="300" r="28" fill="#D55E00"/>
<text x="560" y="310" font-size="40" font-family="sans-serif" fill="#111">Meet here</text>
<script>window.parent.__xss = (window.parent.__xss || 0) + 1</script>
</svg>`;

let server;
let browser;
const pageErrors = [];

before(async () => {
  // The image is beside the deck before it starts: a missing one is an error at start.
  const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-images-')));
  fs.mkdirSync(path.join(dataDir, 'img'));
  fs.writeFileSync(path.join(dataDir, 'img', 'site map.svg'), MAP);
  const deckFile = path.join(dataDir, 'site.md');
  fs.writeFileSync(deckFile, DECK);
  server = { ...await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', path.join(dataDir, 'data'), deckFile]), dataDir };
  browser = await launchChromium();
});

after(() => cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir }));

const loaded = (page) => page.locator('img[alt^="A map"]').first().evaluate(
  (img) => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 200);

test('an image beside the deck shows on the projector and in the presenter view, and runs nothing', async () => {
  for (const size of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }]) {
    const projector = await openWatchedPage(browser, `${server.presenter}&view=projector`, { viewport: size }, { xss: true, pageErrors });
    await eventually('the map on the projector', () => loaded(projector), true);
    const src = await projector.locator('img[alt^="A map"]').first().getAttribute('src');
    assert.match(src, /^\/media\/[0-9a-f]{32}\/img\/site%20map\.svg$/);
    assert.equal(await projector.evaluate(() => window.__xss), 0, 'an SVG shown as an image runs no script');
    await projector.screenshot({ path: path.join(shots, `images-projector-${size.width}x${size.height}.png`) });
    await projector.context().close();
  }
  const presenter = await openWatchedPage(browser, server.presenter, { viewport: { width: 1280, height: 800 } }, { pageErrors });
  await eventually('the map in the presenter view', () => loaded(presenter), true);
  await presenter.screenshot({ path: path.join(shots, 'images-presenter-1280x800.png') });

  // Without the secret, or from the phones' side, there is no image.
  const origin = new URL(server.presenter).origin;
  const src = await presenter.locator('img[alt^="A map"]').first().getAttribute('src');
  assert.equal((await fetch(`${origin}${src}`)).status, 200);
  assert.equal((await fetch(`${origin}${src.replace(/\/media\/[0-9a-f]+\//, '/media/wrong/')}`)).status, 403);
  assert.equal((await fetch(`${new URL(server.participant).origin}${src}`)).status, 404);
  await presenter.context().close();
  assert.deepEqual(pageErrors, []);
});
