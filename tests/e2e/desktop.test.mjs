// The real desktop window under Xvfb, driven through tauri-driver and WebKitWebDriver:
// it shows the demo deck with a join QR code, follows the keyboard, shows a phone's
// vote, and closing it shuts the server down with the vote stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TIMEOUT, bin, eventually, launchChromium, shots, sleep } from './lib.mjs';

const driverBin = process.env.TAURI_DRIVER || path.join(os.homedir(), '.cargo', 'bin', 'tauri-driver');
const ELEMENT = 'element-6066-11e4-a52f-4a4e0d434f3b';

let driver;
let driverPort;
let driverLog = '';
let session;
let dataDir;
let browser;
let joinUrl;

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

async function pressKey(key) {
  await command('POST', '/actions', {
    actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }],
  });
}

// WebKitWebDriver's own screenshot hangs under Xvfb without compositing, so
// grab the real window from the X server, frame and all, as a person sees it.
function screenshot(name) {
  fs.mkdirSync(shots, { recursive: true });
  const tree = execFileSync('xwininfo', ['-root', '-tree']).toString();
  const line = tree.split('\n').find((l) => l.includes('"Handsup — '));
  assert.ok(line, `no Handsup window on the X server:\n${tree}`);
  const id = line.trim().split(/\s+/)[0];
  execFileSync('import', ['-window', id, path.join(shots, name)]);
}

before(async () => {
  assert.ok(fs.existsSync(bin), `no handsup binary at ${bin}: build it first, or set HANDSUP_BIN`);
  assert.ok(fs.existsSync(driverBin), `no tauri-driver at ${driverBin}: cargo install tauri-driver --locked`);
  assert.ok(process.env.DISPLAY, 'the desktop test needs a display: run it under xvfb-run');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handsup-desktop-'));
  driverPort = await freePort();
  const nativePort = await freePort();
  driver = spawn(driverBin, ['--port', String(driverPort), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: '1', WEBKIT_DISABLE_DMABUF_RENDERER: '1' },
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
  const created = await webdriver('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        'tauri:options': { application: bin, args: ['--bind', '127.0.0.1', '--port', '0', '--data', dataDir] },
      },
    },
  });
  session = created.sessionId;
  browser = await launchChromium();
});

after(async () => {
  if (session) await webdriver('DELETE', `/session/${session}`).catch(() => {});
  await browser?.close();
  driver?.kill();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the window shows the demo deck with a scannable join code', { timeout: 90_000 }, async () => {
  await eventually('the title slide', () => text('#slide h1'), 'Welcome to Handsup', 30_000);
  await eventually('the QR code image loaded', () => run(`const q = document.querySelector('#qr'); return !!q && q.complete && q.naturalWidth > 0;`), true);
  joinUrl = await text('#join-url');
  assert.match(joinUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const title = await command('GET', '/title');
  assert.match(title, /Handsup demo/);
  const qrHeight = await run(`return document.querySelector('#qr').getBoundingClientRect().height;`);
  const viewport = await run(`return window.innerHeight;`);
  assert.ok(qrHeight >= viewport / 3, `QR code ${qrHeight}px high in a ${viewport}px window`);
  screenshot('desktop-title.png');
});

test('keys move the slides and a phone vote shows in the window', { timeout: 90_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await context.newPage();
  await phone.goto(joinUrl);
  await eventually('one participant', () => text('#participants'), '1');

  // Clickers send arrows and PageDown: advance until the first question.
  for (let i = 0; i < 10 && !(await run(`return !document.querySelector('#results').hidden;`)); i++) {
    await pressKey('\uE014'); // ArrowRight
    await sleep(150);
  }
  const prompt = await text('#slide h1');
  assert.equal(prompt, 'How did you get here today?');
  await phone.getByRole('button', { name: 'By bike', exact: true }).click({ timeout: TIMEOUT });
  await phone.getByText('Saved', { exact: false }).first().waitFor({ timeout: TIMEOUT });
  await eventually('one answer in the window', () => text('#respondents'), '1');
  await eventually('the bike count', () => run(`return document.querySelector('#bars [data-option="1"] .count').textContent.trim();`), '1');
  await sleep(400); // let the bar finish growing before the picture
  screenshot('desktop-results.png');
  await context.close();
});

test('closing the window stops the server and keeps the vote', { timeout: 90_000 }, async () => {
  await command('DELETE', '/window');
  session = undefined;
  const database = path.join(dataDir, 'handsup.sqlite3');
  // After the app exits the file has no writer; read it with Python's sqlite3.
  const rows = () => execFileSync('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from responses where choices = '[1]'").fetchone()[0])
`, database]).toString().trim();
  await eventually('the stored vote', rows, '1', 20_000);
  // The LAN listener is gone with the window: nothing is left serving phones.
  const reachable = () => fetch(joinUrl).then(() => true, () => false);
  await eventually('the participant listener closed', reachable, false, 20_000);
});
