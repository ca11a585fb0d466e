// What the end-to-end tests share: where things are, polling, and launching Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.HANDSUP_BIN || path.join(repo, 'target', 'debug', 'handsup');
export const shots = path.join(repo, 'target', 'test-screenshots');
export const TIMEOUT = 10_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until `read()` deep-equals `expected`; on timeout, says what it last saw.
export async function eventually(what, read, expected, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      assert.deepEqual(last, expected);
      return;
    } catch (err) {
      if (!(err instanceof assert.AssertionError)) last = err.message;
    }
    if (Date.now() > end) {
      assert.fail(`${what}: expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)} (after ${timeout} ms)`);
    }
    await sleep(50);
  }
}

// Debian's Chromium, headless, with nothing that would reach for the internet; `extraArgs`
// are more command-line switches (`--lang=de` for a German browser).
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A page fulfilled by the test (see pagesFromDisk) has no address, so Chromium would take
      // it for a public site and refuse its sockets to 127.0.0.1.
      ...(process.env.HANDSUP_PAGES_FROM_DISK ? ['--disable-features=LocalNetworkAccessChecks'] : []), ...extraArgs],
  });
}

// Starts `handsup serve ARGS…` and resolves once it printed both URL lines, with
// { child, exited, participant, presenter, log() }. Both pipes are drained for
// the whole run: a full pipe would block the server.
export function startServer(args) {
  assert.ok(fs.existsSync(bin), `no handsup binary at ${bin}: build it first, or set HANDSUP_BIN`);
  const child = spawn(bin, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const lines = readline.createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error(`server printed no URLs within 60 s:\n${log}`)), 60_000);
    lines.on('line', (line) => {
      log = (log + line + '\n').slice(-20_000);
      for (const key of ['participant', 'presenter']) {
        if (line.startsWith(`${key}: `)) found[key] = line.slice(key.length + 2).trim();
      }
      if (found.participant && found.presenter) {
        clearTimeout(timer);
        resolve({ child, exited, participant: found.participant, presenter: found.presenter, log: () => log });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log}`));
    });
  });
}

// `handsup serve` on a deck written from `text` into a fresh folder (by its real
// path, as the server names files), with its data beside it on loopback.
// Returns startServer's result plus `dataDir` and `deckFile`.
export async function startOnDeck(name, text) {
  const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `handsup-${name}-`)));
  const deckFile = path.join(dataDir, `${name}.md`);
  fs.writeFileSync(deckFile, text);
  const started = await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', path.join(dataDir, 'data'), deckFile]);
  return { ...started, dataDir, deckFile };
}

// The end of a test file: the browser closed, a server still running killed
// (and waited for), the data folder removed. Takes the values as they are now.
export async function cleanUp({ browser, server, exited, dataDir }) {
  await browser?.close();
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await exited;
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

// The trimmed text of the first element matching `selector`.
export const text = (page, selector) =>
  page.locator(selector).first().textContent({ timeout: TIMEOUT }).then((t) => (t ?? '').trim());

// Routes a browser context's WebSocket to `/ws` through the test, so the test sees every
// frame the server sends and can hold back `ack` frames: the page must not say "saved"
// while the server's acknowledgement is held. Call before opening the page.
// Returns { frames: [{at, frame}], held, hold(), release(), send(object) }.
export async function routeSocket(context) {
  const gate = { frames: [], held: [], holding: false, page: null, server: null };
  await context.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    gate.page = ws;
    gate.server = server;
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      let frame = null;
      try { frame = JSON.parse(message); } catch (_) { /* not JSON: passed on as it is */ }
      gate.frames.push({ at: Date.now(), frame });
      if (gate.holding && frame && frame.type === 'ack') gate.held.push(message);
      else ws.send(message);
    });
  });
  gate.hold = () => { gate.holding = true; };
  gate.release = () => {
    gate.holding = false;
    for (const message of gate.held.splice(0)) gate.page.send(message);
  };
  // A frame straight to the server, as a page that ignored its own disabled buttons would send it.
  gate.send = (object) => gate.server.send(JSON.stringify(object));
  return gate;
}

// What a thumb and a narrow screen care about: every visible button and input shorter than
// `min` px, and how far the page is wider than the window (0 = no sideways scrolling).
export function phoneLayout(page, min = 48) {
  return page.evaluate((min) => {
    const small = [];
    for (const el of document.querySelectorAll('button, input, select, textarea')) {
      const box = el.getBoundingClientRect();
      if (!el.checkVisibility() || box.width === 0) continue;
      if (box.height < min - 0.01) {
        const name = el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || el.id;
        small.push(`${name.trim()}: ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    const root = document.documentElement;
    return { small, overflow: Math.max(0, root.scrollWidth - root.clientWidth, document.body.scrollWidth - root.clientWidth) };
  }, min);
}

// For working on the pages without a rebuild: with HANDSUP_PAGES_FROM_DISK=1, a context gets
// the phone page, the remote and the presenter files from this work tree instead of the copies
// built into the binary (same headers, so the same content security policy). Any file under ui/ is
// served, a page at /NAME being ui/NAME.html (/editor, /sessions), so a page or module new since
// the last build works too. Off by default: the tests are about the binary.
const UI_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
export async function pagesFromDisk(context) {
  if (!process.env.HANDSUP_PAGES_FROM_DISK) return;
  const ui = path.join(repo, 'ui');
  await context.route((url) => url.hostname === '127.0.0.1', async (route) => {
    const url = new URL(route.request().url());
    const presenter = url.searchParams.has('token') || url.pathname.startsWith('/ui/');
    let file = null;
    if (url.pathname.startsWith('/ui/')) file = path.join(ui, decodeURIComponent(url.pathname.slice(4)));
    else if (url.pathname === '/') file = presenter ? path.join(ui, 'index.html') : path.join(repo, 'assets', 'participant.html');
    else if (presenter && /^\/[a-z][a-z0-9-]*$/.test(url.pathname)) file = path.join(ui, `${url.pathname.slice(1)}.html`);
    // The presenter's remote, on the phones' listener.
    else if (url.pathname === '/remote') file = path.join(repo, 'assets', 'remote.html');
    const inside = file && (file.startsWith(ui + path.sep) || file === path.join(repo, 'assets', 'participant.html')
      || file === path.join(repo, 'assets', 'remote.html'));
    if (!inside || route.request().method() !== 'GET' || !fs.existsSync(file)) return route.continue();
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['content-encoding'];
    delete headers['content-length'];
    let status = response.status();
    // A module the binary was built without: served as the server serves its own.
    if (status === 404 && UI_TYPES[path.extname(file)] && url.pathname.startsWith('/ui/')) {
      status = 200;
      headers['content-type'] = UI_TYPES[path.extname(file)];
      headers['cache-control'] = 'no-cache';
      headers['x-content-type-options'] = 'nosniff';
    }
    let body = fs.readFileSync(file);
    // The phone page is built per language: the server says which one it chose.
    if (file === path.join(repo, 'assets', 'participant.html')) body = localisedPhonePage(body.toString(), headers['content-language'] || 'en');
    // So is the remote, its table from assets/lang/remote/.
    if (file === path.join(repo, 'assets', 'remote.html')) body = localisedRemote(body.toString(), headers['content-language'] || 'en');
    await route.fulfill({ status, headers, body });
  });
}

// The phone page as the build makes it for `lang`: trimmed (indentation and whole-line `// `
// comments dropped) and the language's strings put in its placeholders (the menu's names
// are read from the build script).
export function localisedPhonePage(page, lang) {
  const build = fs.readFileSync(path.join(repo, 'src-tauri', 'core', 'build.rs'), 'utf8');
  const languages = [...build.matchAll(/^\s*\("([a-z]{2})", "([^"]+)"\),$/gm)].map((m) => [m[1], m[2]]);
  const strings = JSON.parse(fs.readFileSync(path.join(repo, 'assets', 'lang', `${lang}.json`), 'utf8'));
  const i18n = JSON.stringify({ lang, languages, strings }).replaceAll('</', '<\\/');
  const trimmed = page.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('// ') && line !== '//');
  return trimmed.map((line) => `${line}\n`).join('').replaceAll('{{lang}}', lang).replaceAll('{{i18n}}', () => i18n);
}

// The remote as the build makes it for `lang`.
function localisedRemote(page, lang) {
  const words = fs.readFileSync(path.join(repo, 'assets', 'lang', 'remote', `${lang}.json`), 'utf8');
  const i18n = JSON.stringify(JSON.parse(words)).replaceAll('</', '<\\/');
  return page.replaceAll('{{lang}}', lang).replaceAll('{{i18n}}', () => i18n);
}

// Text under `selector` drawn smaller than `min` px on screen (the projector's stage is
// scaled to its window, and a crowded results view is scaled down further), as
// "size px: text" lines; [] when everything is at least `min`.
export function smallText(page, selector, min) {
  return page.evaluate(({ selector, min }) => {
    const small = new Set();
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el.checkVisibility()) continue;
      // The size on screen: the font size times every scale between it and the window.
      let scale = 1;
      for (let e = el; e; e = e.parentElement) {
        const transform = getComputedStyle(e).transform;
        if (transform && transform !== 'none') scale *= new DOMMatrix(transform).a;
      }
      const px = parseFloat(getComputedStyle(el).fontSize) * scale;
      if (px < min - 0.05) small.add(`${px.toFixed(1)} px: ${node.textContent.trim().slice(0, 40)}`);
    }
    return [...small];
  }, { selector, min });
}

// Injection payloads, shared by every test that puts hostile text on the pages (xss.test.mjs
// through a deck, words.test.mjs through phones). Each, if it ever ran, would bump
// window.__xss or open a dialog.
export const INJECTIONS = [
  '<script>window.__xss++</script>',
  '<img src=x onerror="window.__xss++">',
  '<svg onload="window.__xss++">',
  '<svg><script>window.__xss++</script></svg>',
  '<iframe src="javascript:window.parent.__xss++"></iframe>',
  '<a href="javascript:window.__xss++">click</a>',
  '<body onload=window.__xss++>',
  '<details open ontoggle=window.__xss++>',
  '<input autofocus onfocus=window.__xss++>',
  '<video><source onerror="window.__xss++"></video>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss++>',
  '"><script>window.__xss++</script>',
  "'><img src=x onerror=window.__xss++>",
  '</button><img src=x onerror=window.__xss++>',
  '</textarea><script>window.__xss++</script>',
  '<style>*{display:none}</style>',
  '<object data="javascript:window.__xss++">',
  '<embed src="javascript:window.__xss++">',
  '<form action="javascript:window.__xss++"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss++">',
  'javascript:alert(1)',
  '{{constructor.constructor("window.__xss++")()}}',
  '${window.__xss++}',
  '&lt;script&gt;window.__xss++&lt;/script&gt;',
  'right-to-left \u202Egnp.exe\u202C override',
  'zero\u200Bwidth\u200Djoiners\uFEFF',
  'émoji 🎉 and 中文 and العربية',
  'x'.repeat(200),
];
const WRAPS = [(p) => p, (p) => `A ${p}`, (p) => `${p} Z`, (p) => `«${p}»`, (p) => `(${p})`, (p) => `1) ${p}`,
  (p) => `- ${p}`, (p) => `# ${p}`, (p) => `${p}!`, (p) => `\`${p}\``, (p) => `[${p}]`, (p) => `${p};`, (p) => `'${p}'`];

// Every payload in every wrapping, each once, at most `maxLength` characters (a deck's option
// is one line of at most 200).
export function injectionPayloads(maxLength = 200) {
  const seen = new Set();
  for (const wrap of WRAPS) {
    for (const base of INJECTIONS) {
      const text = wrap(base).trim();
      if (text.length <= maxLength && !seen.has(text)) seen.add(text);
    }
  }
  return [...seen];
}

/**
 * Opens `url` in a fresh context of `browser`, as the page tests look at it: pages from
 * disk when asked, optionally the socket gate (see routeSocket), an XSS tripwire
 * (`window.__xss`) when `xss` is set, page errors into `pageErrors` and dialogs
 * (dismissed) into `dialogs` when given, and browser console errors printed.
 */
export async function openWatchedPage(browser, url, contextOptions, { gate = false, xss = false, pageErrors = [], dialogs = null } = {}) {
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  await pagesFromDisk(context);
  if (xss) await context.addInitScript(() => { window.__xss = 0; });
  const socket = gate ? await routeSocket(context) : null;
  const page = await context.newPage();
  page.gate = socket;
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  if (dialogs) page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss().catch(() => {}); });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[browser console] ${msg.text()}`);
  });
  await page.goto(url);
  return page;
}

/**
 * Runs `take` (screenshots) with the phone's viewport grown to its whole page, scrolled to
 * the top, as someone would scroll through it; the viewport and a light colour scheme are
 * restored afterwards, whatever `take` did.
 */
export async function onWholePage(phone, take) {
  const size = phone.viewportSize();
  const height = await phone.evaluate(() => document.documentElement.scrollHeight);
  if (height > size.height) await phone.setViewportSize({ width: size.width, height });
  await phone.evaluate(() => window.scrollTo(0, 0));
  try {
    await take(size);
  } finally {
    await phone.emulateMedia({ colorScheme: 'light' });
    await phone.setViewportSize(size);
  }
}

// A socket from Node, speaking the protocol as a page does (see docs/protocol.md),
// keeping every frame it receives.
export class Socket {
  constructor(url, origin) {
    this.frames = [];
    this.ws = new WebSocket(url, { origin });
    this.ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  last(type, check = () => true) {
    return this.frames.findLast((f) => f.type === type && check(f));
  }

  // Sends a frame with a request id; resolves with the reply to it.
  async request(frame, types) {
    const request = `r${Math.random().toString(36).slice(2, 10)}`;
    this.send({ ...frame, request });
    let reply;
    await eventually(`a reply to ${frame.type}`, () => {
      reply = this.frames.find((f) => f.request === request && [...types, 'error'].includes(f.type));
      return !!reply;
    }, true);
    return reply;
  }
}

// `http://host:port` of a URL, as a browser sends it in `Origin`.
export const origin = (url) => `http://${new URL(url).host}`;
