// The presenter view's "Network and phones" panel against `handsup serve` listening on every
// interface (no --bind): the picker lists exactly the join frame's candidates with the one
// phones are shown selected, and the join address on both screens is the frame's; with no phone
// the troubleshooting opens by itself (sooner with ?help_after), with one it does not; phones are
// counted per address of this computer they reached, and once five heartbeats came back the round
// trips are the server's figures; choosing a network answers with a join frame, an unknown one
// with an error naming it; a banner says when the laptop's address moved. The projector never
// shows any of it. A second server with --bind 127.0.0.1 fixes the address and disables the
// picker. Screenshots go to target/test-screenshots/network-panel.png and troubleshoot-panel.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cleanUp, eventually, launchChromium, openWatchedPage, origin, pagesFromDisk, shots, sleep, Socket, startServer, text, TIMEOUT,
} from './lib.mjs';

// What the panel calls each kind of network (ui/lib/network.js).
const KIND_NAMES = { wifi: 'Wi-Fi', ethernet: 'Ethernet', hotspot: 'Hotspot', vpn: 'VPN', virtual: 'Virtual adapter' };
const HELP_AFTER = 1500;
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true };
const WAITING = 'Round trips: measured once phones are connected.';

let server;
let fixedServer;
let browser;
let dataDir;
let desk;
// The join frame the server sent first, as a raw presenter socket reads it.
let join;
const phones = [];
const pageErrors = [];

const openPage = (url, contextOptions) => openWatchedPage(browser, url, contextOptions, { xss: true, pageErrors });
const socketFor = (started) => {
  const url = new URL(started.presenter);
  return new Socket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, origin(started.presenter));
};
// A phone that types the loopback address instead of scanning the code.
const loopbackPhoneUrl = () => `http://127.0.0.1:${new URL(server.participant).port}/`;
// A presenter or projector page whose socket goes through the test: `frames` the server sent it,
// `toPage` plays a frame to the page as if from the server, `toServer` sends one as the page would.
async function openGated(url, contextOptions) {
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  await pagesFromDisk(context);
  await context.addInitScript(() => { window.__xss = 0; });
  const gate = { frames: [], page: null, server: null };
  await context.routeWebSocket(/\/ws\?token=/, (ws) => {
    const upstream = ws.connectToServer();
    gate.page = ws;
    gate.server = upstream;
    ws.onMessage((message) => upstream.send(message));
    upstream.onMessage((message) => {
      try { gate.frames.push(JSON.parse(message)); } catch (_) { /* not JSON */ }
      ws.send(message);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  await page.goto(url);
  await eventually(`the socket of ${url} through the test`, () => gate.frames.length > 0, true);
  gate.toPage = (frame) => gate.page.send(JSON.stringify(frame));
  gate.toServer = (frame) => gate.server.send(JSON.stringify(frame));
  return { page, gate };
}
const label = (c) => `${KIND_NAMES[c.kind] ?? 'Network'} · ${c.interface} · ${c.address}`;

// What the picker holds: each option's value and label, which one is selected, whether it can be used.
const picker = (page) => page.locator('#network-choice').evaluate((select) => ({
  options: [...select.options].map((o) => [o.value, o.textContent]),
  value: select.value,
  disabled: select.disabled,
}));
const joinUrls = (page) => page.locator('.join-url').evaluateAll((els) => els.map((el) => el.textContent));
const viaLines = (page) => page.locator('#network-via li').evaluateAll((lis) => lis.map((li) => li.textContent));
const visible = (page, selector) => page.locator(selector).isVisible();
// Whether the top and the bottom of `selector` are inside the presenter view's side column as it is
// scrolled now (Playwright's "visible" counts what is scrolled out of sight too).
const inSideColumn = (page, selector) => page.locator(selector).evaluate((el) => {
  const box = el.getBoundingClientRect();
  const side = document.getElementById('side').getBoundingClientRect();
  return { top: box.top >= side.top && box.top < side.bottom, bottom: box.bottom > side.top && box.bottom <= side.bottom + 0.5 };
});
// The sentence the panel makes of a room frame's round trips.
function tripsText(rt) {
  if (!rt) return WAITING;
  const figures = `Round trips to phones: median ${rt.median_ms}\u00a0ms, 95% within ${rt.p95_ms}\u00a0ms (${rt.samples} heartbeats, last minute).`;
  return rt.saturated ? `${figures} The Wi-Fi is saturated: slides and answers will reach phones late. Pause video calls and uploads, or move to a less crowded network.`
    : `${figures} The Wi-Fi is fine.`;
}

before(async () => {
  dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-network-')));
  // No --bind: listening on every interface, the phones' address chosen among this machine's.
  server = await startServer(['--port', '0', '--data', path.join(dataDir, 'data')]);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  desk = socketFor(server);
  await desk.opened;
  await eventually('the first join frame', () => !!desk.last('join'), true);
  join = desk.last('join');
});

after(async () => {
  desk?.ws.terminate();
  if (fixedServer && fixedServer.child.exitCode === null) {
    fixedServer.child.kill('SIGKILL');
    await fixedServer.exited;
  }
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir });
});

test('without --bind the join frame offers this machine\'s addresses, the best one shown', () => {
  assert.equal(join.fixed, false, 'not fixed without --bind');
  assert.ok(Array.isArray(join.candidates) && join.candidates.length > 0,
    `this machine has a network address for phones: ${JSON.stringify(join.candidates)}`);
  for (const c of join.candidates) {
    assert.ok(c.kind in KIND_NAMES, `a known kind: ${JSON.stringify(c)}`);
    assert.match(c.address, /^\d+\.\d+\.\d+\.\d+$/, 'an IPv4 address');
    assert.ok(!c.address.startsWith('127.'), 'loopback is no address for phones');
  }
  const shown = join.candidates.find((c) => c.interface === join.interface);
  assert.ok(shown, `the interface shown (${join.interface}) is one of the candidates`);
  assert.equal(join.interface, join.candidates[0].interface, 'with nothing chosen yet, the best candidate');
  assert.equal(join.url, `http://${shown.address}:${new URL(server.participant).port}/`, 'the url is the shown address');
  assert.equal(join.url, server.participant, 'the url is the one the server printed for phones');
  assert.equal(join.moved ?? null, null, 'nothing moved yet');
  assert.match(join.qr_svg, /<svg[\s>]/, 'a QR code');
});

let presenter;
let openedAt;

test('the picker lists exactly the candidates, the shown one selected; the join address on both screens', async () => {
  openedAt = Date.now();
  presenter = await openPage(`${server.presenter}&help_after=${HELP_AFTER}`, { viewport: LAPTOP });
  const expected = {
    options: join.candidates.map((c) => [c.interface, label(c)]),
    value: join.interface,
    // One candidate leaves nothing to choose.
    disabled: join.candidates.length < 2,
  };
  await eventually('the picker', () => picker(presenter), expected);
  // On this kind of machine: "Ethernet · eth0 · 192.0.2.2".
  for (const [, shown] of expected.options) assert.match(shown, /^[A-Za-z -]+ · \S+ · \d+\.\d+\.\d+\.\d+$/);
  assert.equal(await visible(presenter, '#network-fixed'), false, 'no "fixed by --bind" hint without --bind');
  await eventually('the join address on the presenter view', () => joinUrls(presenter), [join.url, join.url]);
  await eventually('the address in the header', () => text(presenter, '#network-url'), join.url);

  // The projector, with the help asked for sooner than on the presenter view.
  const projector = await openPage(`${server.presenter}&view=projector&help_after=300`, { viewport: { width: 1920, height: 1080 } });
  await eventually('the join address on the projector', () => text(projector, '#join-url'), join.url);
  assert.equal(await visible(projector, '#join-url'), true, 'the projector shows where to join');
  await sleep(1200);
  for (const selector of ['#network-panel', '#troubleshoot', '#network-moved', '#network-choice']) {
    assert.equal(await visible(projector, selector), false, `${selector} is not on the projector`);
  }
  assert.equal(await projector.locator('#network-panel').evaluate((el) => getComputedStyle(el).display), 'none');
  await projector.context().close();
});

test('with no phone, the troubleshooting opens by itself after help_after', async () => {
  assert.equal(desk.last('participants')?.connected ?? 0, 0, 'no phone yet');
  await eventually('the troubleshooting shown', () => visible(presenter, '#troubleshoot'), true, 5000);
  const shownAfter = Date.now() - openedAt;
  assert.ok(shownAfter >= HELP_AFTER, `not before ${HELP_AFTER} ms (shown after ${shownAfter} ms)`);
  assert.equal(await presenter.locator('#network-panel').evaluate((d) => d.open), true, 'the panel opened with it');
  assert.equal(await text(presenter, '#troubleshoot h2'), 'When phones cannot connect');
  const items = await presenter.locator('#troubleshoot li strong').allTextContents();
  assert.deepEqual(items, ['Firewall:', 'Client isolation:', 'Mobile data:', 'Guest or second network:', 'Wrong network chosen:']);
  assert.match(await text(presenter, '#troubleshoot > p'), /^The laptop's own hotspot:/);
  // In sight without scrolling: the panel is at the foot of the speaker's column, below its fold.
  assert.deepEqual(await inSideColumn(presenter, '#troubleshoot'), { top: true, bottom: true },
    'the whole troubleshooting in the speaker\'s column as it opens');
  await presenter.screenshot({ path: path.join(shots, 'troubleshoot-panel.png') });
});

test('with a phone connected first, the troubleshooting waits for the button', async () => {
  // The phone scans the code: the address the server printed.
  phones.push(await openPage(server.participant, PHONE));
  await eventually('the phone counted', () => desk.last('participants')?.connected, 1);
  const second = await openPage(`${server.presenter}&help_after=${HELP_AFTER}`, { viewport: LAPTOP });
  await eventually('the phone on the presenter view', () => text(second, '#participants'), '1');
  await sleep(HELP_AFTER + 1500);
  assert.equal(await visible(second, '#troubleshoot'), false, 'not by itself when a phone came');
  assert.equal(await second.locator('#network-panel').evaluate((d) => d.open), false, 'the panel stays closed');
  await second.locator('#network-panel summary').click();
  await second.getByRole('button', { name: 'Phones cannot connect?', exact: true }).click();
  await eventually('the troubleshooting after the button', () => visible(second, '#troubleshoot'), true, 2000);
  await second.context().close();
});

test('phones are counted per address they reached, and five heartbeats give the round trips', async () => {
  await presenter.reload();
  await presenter.locator('#network-panel summary').click();
  const shownAddress = new URL(server.participant).hostname;
  // The room frame is published at most every 2 s.
  await eventually('one phone via the printed address', () => viaLines(presenter), [`1 phone via ${shownAddress}`], 5000);
  // One phone has been pinged once (on connect): too few round trips to say anything.
  assert.equal(desk.last('room').round_trips, null, 'no figures from one heartbeat');
  assert.equal(await text(presenter, '#network-trips'), WAITING);

  // Four more phones, by the loopback address: each is pinged on connect.
  for (let i = 0; i < 4; i++) phones.push(await openPage(loopbackPhoneUrl(), PHONE));
  await eventually('phones per address', () => viaLines(presenter),
    ['4 phones via 127.0.0.1', `1 phone via ${shownAddress}`], 6000);
  await eventually('round trips in the room frame', () => (desk.last('room').round_trips?.samples ?? 0) >= 5, true, 6000);
  // The page shows the figures of the room frame it was last sent (the raw socket sees the same frames).
  await eventually('the round trips on the presenter view',
    async () => (await text(presenter, '#network-trips')) === tripsText(desk.last('room').round_trips), true, 5000);
  const trips = await text(presenter, '#network-trips');
  assert.match(trips, /^Round trips to phones: median \d+\u00a0ms, 95% within \d+\u00a0ms \((\d+) heartbeats, last minute\)\. The Wi-Fi is (fine|saturated)/);
  assert.ok(Number(/\((\d+) heartbeats/.exec(trips)[1]) >= 5, trips);
  assert.equal(await text(presenter, '#participants'), '5');

  await presenter.locator('#network-panel').scrollIntoViewIfNeeded();
  await presenter.screenshot({ path: path.join(shots, 'network-panel.png') });

  // The phone on the printed address leaves: its line goes.
  await phones.shift().context().close();
  await eventually('phones per address after one left', () => viaLines(presenter), ['4 phones via 127.0.0.1'], 6000);
});

test('choosing a network answers with a join frame; an unknown one with an error naming it', async () => {
  const { page, gate } = await openGated(server.presenter, { viewport: LAPTOP });
  await eventually('the picker', () => picker(page).then((p) => p.value), join.interface);
  await page.locator('#network-panel summary').click();
  const joinsOnDesk = () => desk.frames.filter((f) => f.type === 'join').length;
  const joinsOnPage = () => gate.frames.filter((f) => f.type === 'join').length;

  if (join.candidates.length > 1) {
    // Another network and back: the code on every screen follows.
    const other = join.candidates.find((c) => c.interface !== join.interface);
    await page.locator('#network-choice').selectOption(other.interface);
    await eventually('the join frame for the other network', () => desk.last('join').interface, other.interface);
    const otherUrl = desk.last('join').url;
    assert.equal(otherUrl, `http://${other.address}:${new URL(server.participant).port}/`);
    await eventually('the join address follows', () => joinUrls(page), [otherUrl, otherUrl]);
    await page.locator('#network-choice').selectOption(join.interface);
    await eventually('back on the first network', () => desk.last('join').interface, join.interface);
  } else {
    // One candidate: the picker cannot be used, so nothing to change.
    assert.equal(await page.locator('#network-choice').isDisabled(), true);
  }

  // The one shown, chosen again (from the raw socket, as the picker would send it): a fresh join frame, same address.
  let before = joinsOnDesk();
  desk.send({ type: 'choose_network', interface: join.interface });
  await eventually('a join frame after choosing again', () => joinsOnDesk() > before, true, 5000);
  assert.deepEqual({ ...desk.last('join'), moved: desk.last('join').moved ?? null }, { ...join, moved: null });
  // The page's own change handler: with one candidate the select is disabled, so it is enabled here to fire it.
  before = joinsOnPage();
  const deskBefore = joinsOnDesk();
  await page.locator('#network-choice').evaluate((select) => { select.disabled = false; });
  await page.locator('#network-choice').selectOption(join.interface);
  await eventually('a join frame for the page after its choice', () => joinsOnPage() > before, true, 5000);
  await eventually('and for the other presenter sockets', () => joinsOnDesk() > deskBefore, true, 5000);
  // Disabled again (one candidate) by the page's handling of that frame, the same one selected.
  await eventually('still selected', () => picker(page), {
    options: join.candidates.map((c) => [c.interface, label(c)]),
    value: join.interface,
    disabled: join.candidates.length < 2,
  });
  await eventually('the join address unchanged', () => joinUrls(page), [join.url, join.url]);

  // An interface this machine does not have: refused, naming it, and the address stays.
  const errorsBefore = desk.frames.filter((f) => f.type === 'error').length;
  desk.send({ type: 'choose_network', interface: 'nosuch9' });
  await eventually('an error frame', () => desk.frames.filter((f) => f.type === 'error').length > errorsBefore, true, 5000);
  const refusal = desk.last('error');
  assert.match(refusal.message, /nosuch9/, JSON.stringify(refusal));
  assert.equal(desk.last('join').interface, join.interface, 'still the shown network');

  // A hostile name from the page's own socket: the refusal is shown as text (no quotes in it,
  // which the server's message escapes).
  const hostile = '<img src=x onerror=window.__xss++>';
  gate.toServer({ type: 'choose_network', interface: hostile });
  await eventually('the refusal on the presenter view', async () => (await text(page, '#message')).includes(hostile), true, 5000);
  assert.equal(await page.locator('#message img').count(), 0, 'no markup from the name');
  await sleep(200);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await page.context().close();
});

test('a banner says the laptop\'s address moved, until dismissed; never on the projector', async () => {
  // The laptop's network cannot be made to change here: the server's frame is played to the page.
  const moved = { ...join, moved: { from: '10.0.0.7', to: join.candidates[0].address, at: 1_700_000_000_000 } };
  const pages = [];
  for (const [name, url] of [['presenter', server.presenter], ['projector', `${server.presenter}&view=projector`]]) {
    const { page, gate } = await openGated(url, { viewport: LAPTOP });
    await eventually(`the ${name}'s join address`, () => text(page, '#join-url'), join.url);
    assert.equal(await visible(page, '#network-moved'), false, `no banner on the ${name} at first`);
    gate.toPage(moved);
    pages.push({ page, gate });
  }
  const [{ page, gate }, { page: projector }] = pages;
  await eventually('the banner', () => visible(page, '#network-moved'), true, 2000);
  assert.equal(await text(page, '#network-moved-text'),
    `The laptop’s address changed from 10.0.0.7 to ${join.candidates[0].address}. The QR code and address on the projector now show the new one; phones that joined before scan it again.`);
  await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
  assert.equal(await visible(page, '#network-moved'), false, 'dismissed');
  // The same move again (a join frame for another reason) keeps it dismissed; a new move shows it.
  gate.toPage(moved);
  await sleep(300);
  assert.equal(await visible(page, '#network-moved'), false, 'the same move stays dismissed');
  gate.toPage({ ...moved, moved: { ...moved.moved, at: moved.moved.at + 1 } });
  await eventually('the banner for a new move', () => visible(page, '#network-moved'), true, 2000);
  await sleep(300);
  assert.equal(await visible(projector, '#network-moved'), false, 'never on the projector');
  for (const p of pages) await p.page.context().close();
});

test('with --bind 127.0.0.1 the address is fixed and the picker disabled', async () => {
  fixedServer = await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', path.join(dataDir, 'fixed')]);
  const raw = socketFor(fixedServer);
  await raw.opened;
  await eventually('the join frame', () => !!raw.last('join'), true);
  const fixedJoin = raw.last('join');
  raw.ws.terminate();
  assert.equal(fixedJoin.fixed, true);
  assert.equal(fixedJoin.url, `http://127.0.0.1:${new URL(fixedServer.participant).port}/`);
  const page = await openPage(fixedServer.presenter, { viewport: LAPTOP });
  await eventually('the join address', () => text(page, '#join-url'), fixedJoin.url);
  await page.locator('#network-panel summary').click();
  // The bound address selected (not a blank), the machine's networks below it, none of them choosable.
  assert.match(fixedJoin.network, /127\.0\.0\.1/);
  await eventually('the picker', () => picker(page), {
    options: [['', fixedJoin.network], ...fixedJoin.candidates.map((c) => [c.interface, label(c)])],
    value: '',
    disabled: true,
  });
  assert.equal(await page.locator('#network-choice').evaluate((select) => select.selectedOptions[0]?.textContent), fixedJoin.network);
  assert.equal(await visible(page, '#network-fixed'), true, 'and says why');
  await page.context().close();
  fixedServer.child.kill('SIGKILL');
  await fixedServer.exited;
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
