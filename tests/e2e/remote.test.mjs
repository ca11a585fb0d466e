// The presenter's own phone as a remote, in a real browser against `handsup serve` on a deck
// with speaker notes and a question: the presenter view's "Phone as remote" panel gives the
// address (its QR code, "Copy address"); the remote page opened at it on a 390 px phone pairs,
// takes the secret out of the address bar, shows the slide, the question and the notes; its
// buttons move the presenter view and the projector (slides, voting, results, black screen,
// timer) and it follows them; the panel counts the paired phone; a lost connection is said and
// retried; revoking ends the pairing and disables the remote, and an old or wrong code, or none,
// is refused with words. axe finds nothing on the remote (light and dark) or on the presenter
// view with the panel open; the remote works from the keyboard, with reduced motion and 320 px
// wide. Screenshots go to target/test-screenshots/remote-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectNoViolations } from './axe.mjs';
import {
  Socket, TIMEOUT, cleanUp, eventually, launchChromium, onWholePage, openWatchedPage, origin, pagesFromDisk, phoneLayout, shots,
  startOnDeck, text,
} from './lib.mjs';

const DECK = `---
title: Remote control
---

# Remote control

Join on your phone.

<!-- Welcome everyone; introduce yourself in one sentence. -->

---

# Why a remote?

Walk away from the laptop.

<!--
Tell the story of the cable that was too short.
Then move on: <img src=x onerror="window.__xss++"> is not markup here.
-->

---

<!-- question: single id=drink -->
# Coffee or tea?

- Coffee
- Tea

<!-- Ask who brought a thermos. Open voting, give them sixty seconds, then show the results and read the winner aloud. -->

---

# Thanks!
`;
const SLIDES = 4;
const NOTES = [
  'Welcome everyone; introduce yourself in one sentence.',
  'Tell the story of the cable that was too short.\nThen move on: <img src=x onerror="window.__xss++"> is not markup here.',
  'Ask who brought a thermos. Open voting, give them sixty seconds, then show the results and read the winner aloud.',
];
const QUESTION = 'Coffee or tea?';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true };
const PAIRED = 'Paired: this phone moves the slides.';
const REVOKED = 'The presenter revoked this remote. Scan the new code to pair again.';
const WRONG = 'This remote code is not valid (any more): scan the one in the presenter view.';
const BUTTONS = ['#previous', '#next', '#voting', '#results', '#black', '#timer', '#add-time', '#stop-timer'];

let server;
let browser;
let desk;
let presenter;
let projector;
let remote;
let remoteUrl;
const pageErrors = [];

const openPage = (url, contextOptions) => openWatchedPage(browser, url, { bypassCSP: true, ...contextOptions }, { xss: true, pageErrors });
const screens = () => [['presenter view', presenter], ['projector', projector]];
const pressed = (page, selector) => page.locator(selector).getAttribute('aria-pressed');
const secretOf = (url) => new URL(url).hash.replace(/^#k=/, '');
// The remote's countdown in seconds, or null when none is shown.
const countdown = (page) => page.locator('#countdown').evaluate((el) => {
  if (!el.checkVisibility()) return null;
  const m = /^Time left (\d+):(\d\d)$/.exec(el.textContent);
  return m ? Number(m[1]) * 60 + Number(m[2]) : el.textContent;
});
const disabled = (page) => page.evaluate((ids) => ids.map((id) => document.querySelector(id).disabled), BUTTONS);

async function onSlide(n) {
  for (const [name, page] of screens()) {
    await eventually(`the ${name} on slide ${n}`, () => text(page, '#slide-number'), `${n} / ${SLIDES}`);
  }
  await eventually(`the remote on slide ${n}`, () => text(remote, '#where'), `Slide ${n} of ${SLIDES}`);
}

async function remoteShot(page, name, dark = false) {
  // The thumb lifted: a tap on the notes leaves no button looking pressed.
  await page.locator('#notes').tap();
  if (dark) await page.emulateMedia({ colorScheme: 'dark' });
  await onWholePage(page, () => page.screenshot({ path: path.join(shots, `${name}.png`) }));
}

before(async () => {
  server = await startOnDeck('remote', DECK);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  const url = new URL(server.presenter);
  // A socket as the presenter view's own (`&moderation=1`): the only one told the remote's code.
  desk = new Socket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}&moderation=1`, origin(server.presenter));
  await desk.opened;
  await eventually('the remote frame', () => !!desk.last('remote'), true);
  presenter = await openPage(server.presenter, { viewport: { width: 1280, height: 800 } });
  await presenter.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin(server.presenter) });
  projector = await openPage(`${server.presenter}&view=projector`, { viewport: { width: 1280, height: 720 } });
  for (const [name, page] of screens()) {
    await eventually(`the ${name} on the first slide`, () => text(page, '#slide-number'), `1 / ${SLIDES}`);
  }
});

after(async () => {
  desk?.ws.terminate();
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
  assert.deepEqual(pageErrors, [], 'no page errors');
});

test('the presenter view offers the remote: a QR code, "Copy address", no phone paired yet', async () => {
  await eventually('the panel shown', () => presenter.locator('#remote-panel').isVisible(), true);
  assert.equal(await projector.locator('#remote-panel').isVisible(), false, 'never on the projector');
  await presenter.locator('#remote-panel summary').click();
  await eventually('the panel open', () => presenter.locator('#remote-panel').evaluate((d) => d.open), true);
  await eventually('the QR code drawn', () => presenter.locator('#remote-qr').evaluate((img) => img.complete && img.naturalWidth > 0), true);
  const qr = await presenter.locator('#remote-qr').boundingBox();
  assert.ok(qr.width >= 160 && qr.height >= 160, `a QR code a phone can scan from the lectern: ${qr.width}×${qr.height}`);
  assert.equal(await text(presenter, '#remote-paired'), 'No phone paired.');

  // "Copy address" puts the remote's address, its secret in the fragment, on the clipboard.
  await presenter.locator('#remote-copy').click();
  await eventually('copied', () => text(presenter, '#remote-status'), 'Address copied.');
  remoteUrl = await presenter.evaluate(() => navigator.clipboard.readText());
  assert.equal(remoteUrl, desk.last('remote').url, 'the address the presenter socket gave');
  assert.match(remoteUrl, /^http:\/\/127\.0\.0\.1:\d+\/remote#k=[0-9a-f]{32}$/);
  assert.equal(new URL(remoteUrl).port, new URL(server.participant).port, 'on the phones\' listener');
  assert.ok(!server.presenter.includes(secretOf(remoteUrl)), 'not the presenter token');

  await expectNoViolations(presenter, 'presenter view, remote panel open');
  await presenter.locator('#remote-panel').scrollIntoViewIfNeeded();
  await presenter.screenshot({ path: path.join(shots, 'remote-panel.png') });
});

test('the remote pairs, hides its secret, and shows slide 1 of N with its notes', async () => {
  remote = await openPage(remoteUrl, PHONE);
  await eventually('paired', () => text(remote, '#status'), PAIRED);
  assert.equal(await text(remote, '#where'), `Slide 1 of ${SLIDES}`);
  assert.equal(await text(remote, '#title'), 'Remote control');
  assert.equal(await remote.locator('#notes').textContent(), NOTES[0]);
  assert.equal(await remote.locator('#question').isVisible(), false, 'no question on a content slide');
  // The secret left the address bar (and history); the page keeps it for reconnecting.
  const address = await remote.evaluate(() => ({ hash: location.hash, href: location.href }));
  assert.equal(address.hash, '');
  assert.ok(!address.href.includes(secretOf(remoteUrl)), address.href);
  assert.deepEqual(await disabled(remote), [true, false, true, true, false, true, true, true],
    'on the first slide without a question: Next and Black screen only');
  // No question, so no state claimed for voting or results.
  assert.deepEqual([await text(remote, '#voting'), await text(remote, '#results')], ['Voting', 'Results']);
  await eventually('the presenter view counts it', () => text(presenter, '#remote-paired'), '1 phone paired.');
  await eventually('the presenter socket too', () => desk.last('remote').paired, 1);
  await expectNoViolations(remote, 'remote, paired, slide 1');
});

test('Next and Previous move the presenter view and the projector; the notes follow', async () => {
  await remote.locator('#next').tap();
  await onSlide(2);
  assert.equal(await remote.locator('#notes').textContent(), NOTES[1], 'slide 2\'s notes, as text');
  assert.equal(await remote.evaluate(() => window.__xss), 0, 'markup in the notes stays text');
  await eventually('the projector shows slide 2', () => text(projector, '#stage h1'), 'Why a remote?');
  await remote.locator('#previous').tap();
  await onSlide(1);
  assert.equal(await remote.locator('#notes').textContent(), NOTES[0]);
  await remote.locator('#next').tap();
  await onSlide(2);
  await remote.locator('#next').tap();
  await onSlide(3);
  await eventually('the question on the remote', () => text(remote, '#question'), `Question: ${QUESTION}`);
  assert.equal(await remote.locator('#notes').textContent(), NOTES[2]);
});

test('voting and results: the remote toggles them and agrees with the presenter view', async () => {
  // A question opens its voting when its slide is first reached.
  for (const [name, page] of screens()) await eventually(`voting open on the ${name}`, () => text(page, '#voting-status'), 'Voting open');
  await eventually('the remote says open', () => pressed(remote, '#voting'), 'true');
  assert.equal(await text(remote, '#voting'), 'Voting open');
  await remote.locator('#voting').tap();
  for (const [name, page] of screens()) await eventually(`voting closed on the ${name}`, () => text(page, '#voting-status'), 'Voting closed');
  await eventually('the remote says closed', () => pressed(remote, '#voting'), 'false');
  assert.equal(await text(remote, '#voting'), 'Voting closed');
  assert.equal(await text(presenter, '#voting-toggle'), 'Open voting');
  assert.equal(await remote.locator('#timer').isDisabled(), true, 'a timer needs voting open');
  await remote.locator('#voting').tap();
  for (const [name, page] of screens()) await eventually(`voting open again on the ${name}`, () => text(page, '#voting-status'), 'Voting open');
  await eventually('the remote says open again', () => pressed(remote, '#voting'), 'true');
  assert.equal(await text(presenter, '#voting-toggle'), 'Close voting');

  // And from the laptop: the remote follows.
  await presenter.locator('#voting-toggle').click();
  await eventually('the remote follows the presenter view', () => pressed(remote, '#voting'), 'false');
  await remote.locator('#voting').tap();
  await eventually('open for the timer', () => text(presenter, '#voting-status'), 'Voting open');

  assert.equal(await pressed(remote, '#results'), 'true');
  assert.equal(await text(remote, '#results'), 'Results shown');
  await remote.locator('#results').tap();
  await eventually('results hidden on the projector', () => projector.locator('#results-hidden').isVisible(), true);
  await eventually('the presenter view offers to show them', () => text(presenter, '#results-toggle'), 'Show results');
  await eventually('the remote says hidden', () => text(remote, '#results'), 'Results hidden');
  assert.equal(await pressed(remote, '#results'), 'false');
  await remote.locator('#results').tap();
  await eventually('results back on the projector', () => projector.locator('#results-hidden').isVisible(), false);
  await eventually('the remote says shown', () => text(remote, '#results'), 'Results shown');
});

test('the timer: 60 s counts down on the remote, +30 s adds, Stop ends it', async () => {
  await remote.locator('#timer').tap();
  await eventually('a countdown on the remote', async () => {
    const left = await countdown(remote);
    return typeof left === 'number' && left >= 55 && left <= 60;
  }, true);
  await eventually('the presenter view runs it too', async () => (await text(presenter, '#status-timer')) !== 'Off', true);
  const first = await countdown(remote);
  await eventually('it counts down', async () => (await countdown(remote)) < first, true, 3000);
  await remote.locator('#add-time').tap();
  await eventually('30 s more', async () => (await countdown(remote)) >= 80, true);

  // The screenshots: a question slide with its notes, voting open, the timer running.
  await remoteShot(remote, 'remote-390');
  await remoteShot(remote, 'remote-dark-390', true);
  await expectNoViolations(remote, 'remote, question slide, voting open, timer running');
  await remote.emulateMedia({ colorScheme: 'dark' });
  try {
    await expectNoViolations(remote, 'remote, dark colour scheme, question slide, timer running');
  } finally {
    await remote.emulateMedia({ colorScheme: 'light' });
  }

  await remote.locator('#stop-timer').tap();
  await eventually('the countdown gone', () => countdown(remote), null);
  await eventually('the presenter view\'s timer off', () => text(presenter, '#status-timer'), 'Off');
  assert.equal(await remote.locator('#stop-timer').isDisabled(), true);
});

test('Black screen blacks the projector, and the remote and the presenter view say so', async () => {
  await remote.locator('#black').tap();
  await eventually('the projector black', () => projector.locator('#blackout').isVisible(), true);
  await eventually('the presenter view says so', () => pressed(presenter, '#black-toggle'), 'true');
  await eventually('the remote button pressed', () => pressed(remote, '#black'), 'true');
  assert.match(await text(remote, '#where'), /screen black/);
  await expectNoViolations(remote, 'remote, black screen');
  await remote.locator('#black').tap();
  await eventually('the projector back', () => projector.locator('#blackout').isVisible(), false);
  await eventually('the remote button released', () => pressed(remote, '#black'), 'false');
  assert.equal(await text(remote, '#where'), `Slide 3 of ${SLIDES}`);
});

test('320 px wide, and with reduced motion: every target large, nothing cut off', async () => {
  const size = remote.viewportSize();
  await remote.setViewportSize({ width: 320, height: 568 });
  try {
    assert.deepEqual(await phoneLayout(remote, 48), { small: [], overflow: 0 }, 'thumb-sized buttons, no sideways scrolling');
    // Every button's label fits inside it.
    const clipped = await remote.evaluate(() => [...document.querySelectorAll('button')]
      .filter((b) => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1).map((b) => b.textContent));
    assert.deepEqual(clipped, []);
    // Previous and Next stay on screen in the lower half, where a thumb reaches, whatever the notes.
    for (const id of ['#previous', '#next']) {
      const box = await remote.locator(id).boundingBox();
      assert.ok(box.y >= 568 / 2 && box.y + box.height <= 568, `${id} at ${box.y}–${box.y + box.height} of 568`);
    }
    await remoteShot(remote, 'remote-320');
    await remoteShot(remote, 'remote-dark-320', true);
    // The text at 200 %: still one column of whole words, the bar no longer pinned over it.
    await remote.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
    assert.deepEqual(await phoneLayout(remote, 48), { small: [], overflow: 0 }, 'at 200 %');
    const broken = await remote.evaluate(() => [...document.querySelectorAll('button')].filter((b) => {
      // A word split over two lines: a text line that ends inside a word.
      const range = document.createRange();
      range.selectNodeContents(b);
      const words = b.textContent.split(/\s+/).length;
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      return lines > words;
    }).map((b) => b.textContent));
    assert.deepEqual(broken, [], 'no word broken inside a button at 200 %');
    assert.equal(await remote.locator('.nav').evaluate((el) => getComputedStyle(el).position), 'static');
    await remoteShot(remote, 'remote-320-text-200');
  } finally {
    await remote.evaluate(() => { document.documentElement.style.fontSize = ''; });
    await remote.setViewportSize(size);
  }
  assert.deepEqual(await phoneLayout(remote, 48), { small: [], overflow: 0 }, '390 px too');
  // Landscape: the bar at the bottom leaves room to read.
  await remote.setViewportSize({ width: 844, height: 390 });
  try {
    assert.deepEqual(await phoneLayout(remote, 48), { small: [], overflow: 0 }, 'landscape');
    const next = await remote.locator('#next').boundingBox();
    assert.ok(next.y + next.height <= 390, `Next on screen in landscape: ${JSON.stringify(next)}`);
    await remote.screenshot({ path: path.join(shots, 'remote-landscape.png') });
  } finally {
    await remote.setViewportSize(size);
  }

  await remote.emulateMedia({ reducedMotion: 'reduce' });
  try {
    await remote.locator('#next').tap();
    await onSlide(4);
    assert.equal(await text(remote, '#notes'), 'No notes on this slide.');
    const moving = await remote.evaluate(() => document.getAnimations().length);
    assert.equal(moving, 0, 'nothing animates with reduced motion');
    await remote.locator('#previous').tap();
    await onSlide(3);
  } finally {
    await remote.emulateMedia({ reducedMotion: 'no-preference' });
  }
});

test('the keyboard alone: Tab through the enabled buttons in reading order, each with a ring', async () => {
  // A small phone, where the notes push the toggles under the bar at the bottom.
  const size = remote.viewportSize();
  await remote.setViewportSize({ width: 320, height: 568 });
  // Tabbing starts from the top, as after a tap on the title.
  await remote.locator('#title').click();
  // The focused button: its ring, and whether it is in sight (not under the bar, unless in it).
  const focused = () => remote.evaluate(() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const bar = document.querySelector('.nav').getBoundingClientRect();
    const clear = e.closest('.nav') !== null || box.bottom <= bar.top;
    return {
      id: e.id, ring: e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      seen: clear && box.top >= 0 && box.bottom <= innerHeight,
    };
  });
  // On the question slide, voting open, no timer: every button but +30 s and Stop timer, in the
  // order they are drawn (Previous and Next in the bar at the bottom).
  const order = [];
  for (let i = 0; i < 6; i++) {
    await remote.keyboard.press('Tab');
    order.push(await focused());
  }
  await remote.setViewportSize(size);
  assert.deepEqual(order, ['voting', 'results', 'black', 'timer', 'previous', 'next'].map((id) => ({ id, ring: true, seen: true })));
  // Enter on a focused button presses it (and only once): the black screen and back.
  await remote.locator('#black').focus();
  await remote.keyboard.press('Enter');
  await eventually('black from Enter', () => projector.locator('#blackout').isVisible(), true);
  // The toggle sends the opposite of what the remote knows: wait until it knows the screen is black.
  await eventually('the remote hears of it', () => remote.locator('#black').getAttribute('aria-pressed'), 'true');
  await remote.keyboard.press(' ');
  await eventually('back from Space', () => projector.locator('#blackout').isVisible(), false);
  // A clicker's keys, or a keyboard's arrows, move the slides.
  await remote.evaluate(() => document.activeElement?.blur());
  await remote.keyboard.press('ArrowRight');
  await onSlide(4);
  await remote.keyboard.press('PageUp');
  await onSlide(3);
});

test('a lost connection is said, the buttons wait, and the remote pairs again by itself', async () => {
  const sockets = [];
  let hold = false;
  const context = await browser.newContext({ locale: 'en-US', ...PHONE });
  await pagesFromDisk(context);
  await context.routeWebSocket(/\/remote\/ws$/, (ws) => {
    sockets.push(ws);
    if (hold) return; // Open to the page, but no server behind it: no answer to its pairing.
    ws.connectToServer();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`second remote: ${err.message}`));
  try {
    await page.goto(remoteUrl);
    await eventually('the second remote paired', () => text(page, '#status'), PAIRED);
    await eventually('two phones paired', () => text(presenter, '#remote-paired'), '2 phones paired.');
    hold = true;
    await sockets.at(-1).close({ code: 1011, reason: 'gone' });
    await eventually('the loss said', () => text(page, '#status'), 'Connection lost: trying again…');
    assert.ok((await disabled(page)).every(Boolean), 'no button pretends to work');
    await eventually('it tried again', () => sockets.length, 2);
    hold = false;
    await sockets.at(-1).close({ code: 1011, reason: 'still gone' });
    await eventually('paired again', () => text(page, '#status'), PAIRED, 15_000);
    assert.equal(await text(page, '#where'), `Slide 3 of ${SLIDES}`);
  } finally {
    await context.close();
  }
  await eventually('one phone paired again', () => text(presenter, '#remote-paired'), '1 phone paired.');
});

test('revoking: the remote says so and disables its buttons; the old code, a wrong one or none is refused', async () => {
  const earlier = desk.last('remote').url;
  await presenter.locator('#remote-revoke').click();
  await eventually('the remote told', () => text(remote, '#status'), REVOKED);
  assert.ok((await disabled(remote)).every(Boolean), 'every button disabled');
  await eventually('a new code', () => desk.last('remote').url !== earlier, true);
  await eventually('nobody paired', () => text(presenter, '#remote-paired'), 'No phone paired.');
  assert.match(await text(presenter, '#remote-status'), /^Revoked/);
  await expectNoViolations(remote, 'remote, revoked');
  await remoteShot(remote, 'remote-revoked-390');
  // Reloading does not bring the old code back.
  await remote.reload();
  await eventually('no code after a reload', () => text(remote, '#status'), 'Scan the remote\'s QR code in the presenter view to pair this phone.');

  const old = await openPage(remoteUrl, PHONE);
  await eventually('the old code refused', () => text(old, '#status'), WRONG);
  assert.ok((await disabled(old)).every(Boolean));
  assert.equal(await old.evaluate(() => location.hash), '');
  await old.context().close();
  const wrong = await openPage(remoteUrl.replace(/#k=.*/, `#k=${'0'.repeat(32)}`), PHONE);
  await eventually('a wrong code refused', () => text(wrong, '#status'), WRONG);
  await expectNoViolations(wrong, 'remote, wrong code');
  await wrong.context().close();

  // The new code pairs.
  const fresh = await openPage(desk.last('remote').url, PHONE);
  await eventually('the new code pairs', () => text(fresh, '#status'), PAIRED);
  await eventually('one phone paired', () => text(presenter, '#remote-paired'), '1 phone paired.');
  await fresh.context().close();
});

test('a phone set to German gets the remote in German: its buttons, its status, a refusal and the slide count', async () => {
  const german = { ...PHONE, locale: 'de-DE' };
  const fresh = await openPage(desk.last('remote').url, german);
  assert.equal(await fresh.evaluate(() => document.documentElement.lang), 'de');
  await eventually('paired, in German', () => text(fresh, '#status'), 'Gekoppelt: Dieses Handy wechselt die Folien.');
  assert.match(await text(fresh, '#where'), /^Folie \d von 4$/);
  assert.equal(await text(fresh, '#next'), 'Weiter ▶');
  assert.equal(await text(fresh, '#previous'), '◀ Zurück');
  assert.equal(await text(fresh, '#black'), 'Bildschirm schwarz');
  await expectNoViolations(fresh, 'remote in German');
  await remoteShot(fresh, 'remote-de-390');
  await fresh.context().close();
  const wrong = await openPage(remoteUrl.replace(/#k=.*/, `#k=${'0'.repeat(32)}`), german);
  await eventually('a wrong code refused in German', () => text(wrong, '#status'),
    'Dieser Code ist nicht (mehr) gültig: Scanne den in der Vortragsansicht.');
  await wrong.context().close();
});
