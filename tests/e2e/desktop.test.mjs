// The real desktop app under Xvfb, driven through tauri-driver and WebKitWebDriver:
// both windows (presenter view and projector) on a deck file, clicker keys, a phone's
// vote on both screens, the black screen, the deck editor saving a new question, a
// second launch handing its deck to the first, shutdown closing every phone socket
// with a close frame and keeping every acknowledged vote, and the dialog shown when
// the port is taken.
//
// Run it under `dbus-run-session` (single instance uses the session bus), with a
// 3840×1080 screen so the two windows sit side by side for the screenshots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TIMEOUT, bin, eventually, launchChromium, repo, shots, sleep } from './lib.mjs';

const driverBin = process.env.TAURI_DRIVER || path.join(os.homedir(), '.cargo', 'bin', 'tauri-driver');
const ELEMENT = 'element-6066-11e4-a52f-4a4e0d434f3b';
const WEBKIT_ENV = { WEBKIT_DISABLE_COMPOSITING_MODE: '1', WEBKIT_DISABLE_DMABUF_RENDERER: '1' };

let driver;
let driverPort;
let driverLog = '';
let session;
let workDir;
let dataDir;
let deckPath;
let appEnv;
let browser;
let joinUrl;
let presenterUrl;
const handles = {};

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// A minimal W3C WebDriver client: one HTTP call per command.
async function webdriver(method, route, body) {
  const response = await fetch(`http://127.0.0.1:${driverPort}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json.value;
}

const command = (method, route, body) => webdriver(method, `/session/${session}${route}`, body);
const run = (script, ...args) => command('POST', '/execute/sync', { script, args });
const text = (selector) => run(`const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;`, selector);
const visible = (selector) => run(`const e = document.querySelector(arguments[0]); return !!e && !e.hidden && e.getClientRects().length > 0;`, selector);

async function use(window) {
  await command('POST', '/window', { handle: handles[window] });
}

// Presses → until a question shows, one slide at a time: each press waits for
// its slide, so a slow window never makes a press land past the question.
async function advanceToQuestion() {
  for (let i = 0; i < 10 && !(await visible('#results')); i++) {
    const before = await text('#slide-number');
    await pressKey('\uE014'); // ArrowRight
    await eventually('the next slide', async () => (await text('#slide-number')) !== before, true);
  }
}

async function find(selector) {
  const found = await command('POST', '/element', { using: 'css selector', value: selector });
  const id = found && (found[ELEMENT] ?? Object.values(found)[0]);
  assert.ok(id, `no element for ${selector}: ${JSON.stringify(found)}`);
  return id;
}

async function click(selector) {
  await command('POST', `/element/${await find(selector)}/click`, {});
}

async function type(selector, value) {
  await command('POST', `/element/${await find(selector)}/value`, { text: value });
}

async function pressKey(key) {
  await command('POST', '/actions', {
    actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }],
  });
}

// Titles are the contract: "Handsup — DECK" is the presenter view, "Handsup projector — DECK" the projector.
function windowId(prefix) {
  const tree = execFileSync('xwininfo', ['-root', '-tree']).toString();
  const line = tree.split('\n').find((l) => l.includes(`"${prefix}`));
  return line ? line.trim().split(/\s+/)[0] : null;
}

// WebKitWebDriver's own screenshot hangs under Xvfb without compositing, so
// grab the real window from the X server, frame and all, as a person sees it.
function screenshot(prefix, name) {
  fs.mkdirSync(shots, { recursive: true });
  const id = windowId(prefix);
  assert.ok(id, `no window titled ${prefix}… on the X server`);
  execFileSync('import', ['-window', id, path.join(shots, name)]);
}

async function placeWindow(window, x, y, width, height) {
  await use(window);
  await command('POST', '/window/rect', { x, y, width, height });
  await eventually(`${window} window size`, () => run('return [window.innerWidth, window.innerHeight];'), [width, height], 5_000)
    .catch(() => {}); // decorations and menus take some height: the picture is what counts
  await sleep(300);
}

function sqlite(database, sql) {
  return execFileSync('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(sys.argv[2]).fetchone()[0])
`, database, sql]).toString().trim();
}

before(async () => {
  assert.ok(fs.existsSync(bin), `no handsup binary at ${bin}: build it first, or set HANDSUP_BIN`);
  assert.ok(fs.existsSync(driverBin), `no tauri-driver at ${driverBin}: cargo install tauri-driver --locked`);
  assert.ok(process.env.DISPLAY, 'the desktop test needs a display: run it under xvfb-run');
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-desktop-'));
  dataDir = path.join(workDir, 'data');
  deckPath = path.join(workDir, 'talk.md');
  fs.copyFileSync(path.join(repo, 'assets', 'demo-deck.md'), deckPath);
  // Window places are remembered in the config folder: keep this run's apart.
  appEnv = { ...process.env, ...WEBKIT_ENV, XDG_CONFIG_HOME: path.join(workDir, 'config'), HANDSUP_LOG: 'info' };
  driverPort = await freePort();
  const nativePort = await freePort();
  driver = spawn(driverBin, ['--port', String(driverPort), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: appEnv,
  });
  for (const stream of [driver.stdout, driver.stderr]) {
    stream.on('data', (chunk) => { driverLog = (driverLog + chunk).slice(-20_000); });
  }
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      await webdriver('GET', '/status');
      break;
    } catch (err) {
      if (Date.now() > end) throw new Error(`tauri-driver did not start: ${err.message}\n${driverLog}`);
      await sleep(200);
    }
  }
  const args = [deckPath, '--bind', '127.0.0.1', '--port', '0', '--data', dataDir, '--presenter-view'];
  const created = await webdriver('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: bin, args } } },
  });
  session = created.sessionId;
  browser = await launchChromium();
});

after(async () => {
  if (session) await webdriver('DELETE', `/session/${session}`).catch(() => {});
  await browser?.close();
  driver?.kill();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test('two windows open on the deck: the presenter view and the projector', { timeout: 90_000 }, async () => {
  await eventually('two windows', async () => (await command('GET', '/window/handles')).length, 2, 30_000);
  for (const handle of await command('GET', '/window/handles')) {
    await command('POST', '/window', { handle });
    const title = await command('GET', '/title').catch(() => '');
    const url = await command('GET', '/url');
    handles[url.includes('view=projector') ? 'projector' : 'presenter'] = handle;
  }
  assert.ok(handles.projector && handles.presenter, `windows: ${JSON.stringify(handles)}`);
  assert.ok(windowId('Handsup — Handsup demo'), 'the presenter view is titled after the deck');
  assert.ok(windowId('Handsup projector — Handsup demo'), 'the projector is titled after the deck');

  // Side by side on the wide screen, each at a size a person would use.
  await placeWindow('projector', 0, 0, 1920, 1080);
  await placeWindow('presenter', 1920, 0, 1280, 800);

  await use('projector');
  await eventually('the title slide on the projector', () => text('#slide h1'), 'Welcome to Handsup', 30_000);
  await eventually('the QR code image loaded', () => run(`const q = document.querySelector('#qr'); return !!q && q.complete && q.naturalWidth > 0;`), true);
  joinUrl = await text('#join-url');
  assert.match(joinUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const qrHeight = await run(`return document.querySelector('#qr').getBoundingClientRect().height;`);
  const viewport = await run(`return window.innerHeight;`);
  assert.ok(qrHeight >= viewport / 3, `QR code ${qrHeight}px high in a ${viewport}px window`);
  assert.equal(await visible('#controls'), false, 'the audience sees no controls');
  presenterUrl = await command('GET', '/url');

  await use('presenter');
  await eventually('the title slide in the presenter view', () => text('#slide h1'), 'Welcome to Handsup');
  await eventually('the next slide preview', () => text('#next-slide h1'), 'How it works');
  assert.match(await text('#notes'), /Speaker notes live in HTML comments/);
  assert.match(await text('#clock'), /^\d{1,2}:\d{2}$/);
  assert.match(await text('#elapsed'), /^\d+:\d{2}$/);
  screenshot('Handsup projector — ', 'desktop-projector-title-1920x1080.png');
  screenshot('Handsup — ', 'desktop-presenter-title-1280x800.png');
});

test('pages in the windows get no Tauri IPC and cannot leave Handsup', { timeout: 30_000 }, async (t) => {
  await use('projector');
  const outcome = await command('POST', '/execute/async', {
    script: `const done = arguments[arguments.length - 1];
      const ipc = window.__TAURI_INTERNALS__;
      if (!ipc || typeof ipc.invoke !== 'function') { done('no ipc'); return; }
      ipc.invoke('plugin:dialog|message', { message: 'hello' }).then(() => done('allowed'), (e) => done('refused: ' + e));`,
    args: [],
  });
  assert.notEqual(outcome, 'allowed', 'a page could call a Tauri command');
  t.diagnostic(`a Tauri command from the projector page: ${outcome}`);
  // A link to the web (slides may hold links) does not take the window away.
  await run(`location.href = 'http://example.invalid/';`);
  await sleep(500);
  assert.equal(await command('GET', '/url'), presenterUrl, 'the window left the projector page');
});

test('clicker keys move both windows and a phone vote shows on both', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await context.newPage();
  await phone.goto(joinUrl);
  await use('presenter');
  await eventually('one participant', () => text('#participants'), '1');

  // Clickers send arrows and PageDown: advance until the first question.
  await advanceToQuestion();
  assert.equal(await text('#slide h1'), 'How did you get here today?');
  await phone.getByRole('button', { name: 'By bike', exact: true }).click({ timeout: TIMEOUT });
  await phone.getByText('Saved', { exact: false }).first().waitFor({ timeout: TIMEOUT });
  for (const window of ['presenter', 'projector']) {
    await use(window);
    await eventually(`one answer in the ${window} window`, () => text('#respondents'), '1');
    await eventually(`the bike count in the ${window} window`, () => text('#bars [data-option="1"] .count'), '1');
    await eventually(`voting open in the ${window} window`, () => text('#voting-status'), 'Voting open');
  }
  await sleep(400); // let the bars finish growing before the pictures
  screenshot('Handsup projector — ', 'desktop-projector-results-1920x1080.png');
  screenshot('Handsup — ', 'desktop-presenter-results-1280x800.png');
  await placeWindow('projector', 0, 0, 1280, 720);
  screenshot('Handsup projector — ', 'desktop-projector-results-1280x720.png');
  await placeWindow('presenter', 1920, 0, 1920, 1080);
  screenshot('Handsup — ', 'desktop-presenter-results-1920x1080.png');
  await placeWindow('presenter', 1920, 0, 1280, 720);
  screenshot('Handsup — ', 'desktop-presenter-results-1280x720.png');

  // B blacks out the projector (not the presenter view); Escape brings the slide back.
  await use('presenter');
  await pressKey('b');
  await use('projector');
  await eventually('the projector is black', () => visible('#blackout'), true);
  screenshot('Handsup projector — ', 'desktop-projector-black.png');
  await use('presenter');
  await eventually('the presenter view says the screen is black', () => visible('#black-badge'), true);
  assert.equal(await visible('#slide'), true, 'the speaker still sees the slide');
  await pressKey('\uE00C'); // Escape
  await use('projector');
  await eventually('the projector shows the slide again', () => visible('#blackout'), false);

  // F makes the projector full screen, as presentation programs do; Escape leaves.
  await pressKey('f');
  await eventually('the projector in full screen', () => run('return !!document.fullscreenElement;'), true);
  await pressKey('\uE00C');
  await eventually('the projector out of full screen', () => run('return !!document.fullscreenElement;'), false);
  await context.close();
});

test('the editor adds a question, saves the file, and both windows show it', { timeout: 120_000 }, async () => {
  const before = fs.readFileSync(deckPath, 'utf8');
  // How many slides the demo deck has, as the server reads it: one more once the question is added.
  const deckUrl = presenterUrl.replace('/?', '/api/deck?').replace('view=projector&', '');
  const slides = (await (await fetch(deckUrl)).json()).slides.length;
  assert.ok(slides >= 3, `the demo deck has slides: ${slides}`);
  await use('presenter');
  await command('POST', '/url', { url: presenterUrl.replace('/?', '/editor?').replace('view=projector&', '') });
  await eventually('the editor loaded the deck', () => run(`return document.querySelectorAll('#slides li').length;`), slides, 20_000);
  await click('#add-question');
  await type('#title', 'Which room are you in?');
  const option = (i) => `#options li:nth-child(${i}) input[type="text"], #options li:nth-child(${i}) input:not([type])`;
  await type(option(1), 'Main hall');
  await type(option(2), 'Side room');
  await click('#add-option');
  await type(option(3), 'Online');
  await sleep(400); // the preview follows the form
  screenshot('Handsup — ', 'desktop-editor-1280x720.png');
  await placeWindow('presenter', 1920, 0, 1920, 1080);
  screenshot('Handsup — ', 'desktop-editor-1920x1080.png');
  await use('presenter');
  await click('#save');
  await eventually('the editor reloaded the saved deck', () => run(`return document.querySelectorAll('#slides li').length;`), slides + 1, 20_000);

  const added = '<!-- question: single -->\n# Which room are you in?\n\n- Main hall\n- Side room\n- Online\n';
  // The editor checks the forms with the server, then saves: the file changes a moment after the click.
  await eventually('the new question in the file', () => fs.readFileSync(deckPath, 'utf8').includes(added), true, 20_000);
  const after = fs.readFileSync(deckPath, 'utf8');
  assert.equal(after.replace(`\n---\n\n${added}`, '').replace(added, ''), before.trimEnd() + '\n', 'every other slide is as it was');

  // The file parses back: the running app reloaded it, and the projector counts the new slide.
  await use('projector');
  await eventually('the projector on the saved deck', async () => (await text('#slide-number'))?.split(' / ')[1], String(slides + 1), 20_000);
  const parsed = await (await fetch(deckUrl)).json();
  assert.equal(parsed.slides.length, slides + 1);
  const question = parsed.slides.find((s) => s.title === 'Which room are you in?');
  assert.deepEqual(question && [question.kind, question.options], ['single', ['Main hall', 'Side room', 'Online']]);
  await use('presenter');
  await command('POST', '/url', { url: presenterUrl.replace('view=projector&', '') });
  await eventually('the presenter view counts the new slide', async () => (await text('#slide-number'))?.split(' / ')[1], String(slides + 1), 20_000);
});

test('the Sessions window and the report render in the app\'s own webview', { timeout: 60_000 }, async () => {
  await use('presenter');
  const sessionsUrl = presenterUrl.replace('/?', '/sessions?').replace('view=projector&', '');
  await command('POST', '/url', { url: sessionsUrl });
  await eventually('the sessions listed', () => run(`return document.querySelectorAll('#sessions > li').length > 0;`), true, 20_000);
  const listed = await run('return document.body.innerText;');
  assert.match(listed, /On screen/, 'the session on screen is marked');
  screenshot('Handsup — ', 'desktop-sessions.png');
  await command('POST', '/url', { url: presenterUrl.replace('/?', '/report?').replace('view=projector&', '') });
  await eventually('the report', () => run(`return document.querySelector('h1')?.textContent || '';`), 'Handsup demo', 20_000);
  assert.equal(await run(`return document.querySelectorAll('script').length;`), 0, 'the report runs nothing');
  screenshot('Handsup — ', 'desktop-report.png');
  await click('nav.back a');
  await eventually('back in the Sessions window', () => run('return location.pathname;'), '/sessions', 20_000);
  await command('POST', '/url', { url: presenterUrl.replace('view=projector&', '') });
  await eventually('the presenter view again', async () => !!(await text('#slide-number')), true, 20_000);
});

test('a second launch hands its deck to the running app instead of starting a server', { timeout: 60_000 }, async () => {
  const otherDeck = path.join(workDir, 'other.md');
  fs.writeFileSync(otherDeck, '---\ntitle: Second deck\n---\n\n# Opened from a second launch\n');
  const otherData = path.join(workDir, 'other-data');
  const second = spawn(bin, [otherDeck, '--bind', '127.0.0.1', '--port', '0', '--data', otherData], {
    env: appEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  second.stderr.on('data', (chunk) => { log += chunk; });
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => { second.kill('SIGKILL'); resolve('still running'); }, 20_000);
    second.once('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0, `the second launch should hand over and exit:\n${log}`);
  assert.equal(fs.existsSync(path.join(otherData, 'handsup.sqlite3')), false, 'the second launch started its own server');
  await eventually('the first app shows the handed-over deck', () => windowId('Handsup projector — Second deck') !== null, true, 20_000);
  await use('projector');
  await eventually('its slide on the projector', () => text('#slide h1'), 'Opened from a second launch', 20_000);
  // Back to the deck with the question for the shutdown test.
  const again = spawn(bin, [deckPath], { env: appEnv, stdio: 'ignore' });
  await new Promise((resolve) => again.once('exit', resolve));
  await eventually('the first deck again', () => windowId('Handsup projector — Handsup demo') !== null, true, 20_000);
});

test('closing the app closes every phone socket cleanly and keeps every acknowledged vote', { timeout: 120_000 }, async () => {
  await use('presenter');
  if (!(await command('GET', '/url')).includes('/?')) await command('POST', '/url', { url: presenterUrl.replace('view=projector&', '') });
  await eventually('the presenter view reconnected', () => visible('#connection'), false, 20_000);
  await advanceToQuestion();
  const phones = 40;
  const wsUrl = joinUrl.replace('http://', 'ws://') + 'ws';
  const closes = [];
  const acked = new Set();
  const sockets = await Promise.all(Array.from({ length: phones }, (_, i) => new Promise((resolve, reject) => {
    // The server insists on the Origin header that browsers send.
    const ws = new WebSocket(wsUrl, { origin: joinUrl.replace(/\/$/, '') });
    const participant = `desktop-phone-${String(i).padStart(3, '0')}`;
    let voted = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', participant })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'state' && frame.question && frame.voting === 'open' && !voted) {
        voted = true;
        ws.send(JSON.stringify({ type: 'vote', request: `r-${i}`, question: frame.question.id, answer: { choices: [i % 3] } }));
      }
      if (frame.type === 'ack') {
        acked.add(participant);
        resolve(ws);
      }
    });
    // 1006 would mean the connection dropped without the server's close frame.
    ws.on('close', (code) => closes.push({ participant, code }));
    ws.on('error', () => {});
    setTimeout(() => reject(new Error(`${participant} got no ack`)), 20_000);
  })));
  assert.equal(acked.size, phones);

  // Quit as the system does at logout (a test driver cannot click the window's close button).
  const pids = execFileSync('pgrep', ['-f', `${bin} ${deckPath}`]).toString().trim().split('\n');
  for (const pid of pids) process.kill(Number(pid), 'SIGTERM');
  session = undefined;
  await eventually('every phone socket closed', () => closes.length, phones, 20_000)
    .catch((err) => { throw new Error(`${err.message}\n${driverLog.slice(-3000)}`); });
  const unclean = closes.filter((c) => c.code !== 1001);
  assert.deepEqual(unclean, [], 'every socket gets a close frame with "going away"');
  const database = path.join(dataDir, 'handsup.sqlite3');
  await eventually('every acknowledged vote stored', () => sqlite(database,
    "select count(*) from responses r join participants p on p.id = r.participant_id where p.public_id like 'desktop-phone-%'"), String(phones), 20_000);
  for (const ws of sockets) ws.terminate();

  // The presenter view's place is remembered for the next run; the projector follows the display choice.
  const remembered = path.join(workDir, 'config', 'app.handsup.desktop', '.window-state.json');
  await eventually('window places saved', () => fs.existsSync(remembered), true, 10_000);
  const places = JSON.parse(fs.readFileSync(remembered, 'utf8'));
  assert.ok(places.presenter, `the presenter view's place: ${JSON.stringify(places)}`);
  assert.equal(places.projector, undefined, 'the projector is placed by display, not by memory');
});

test('a taken port stops the app with a dialog that says so', { timeout: 60_000 }, async () => {
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = blocker.address().port;
  const app = spawn(bin, ['--bind', '127.0.0.1', '--port', String(port), '--data', path.join(workDir, 'taken')], {
    env: appEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  app.stderr.on('data', (chunk) => { log += chunk; });
  try {
    await eventually('the error dialog', () => windowId('Handsup cannot start') !== null, true, 30_000);
    await sleep(500);
    screenshot('Handsup cannot start', 'desktop-port-taken-dialog.png');
    assert.match(log, /cannot listen on 127\.0\.0\.1:\d+.*choose another with --port/);
  } finally {
    app.kill();
    blocker.close();
  }
});
