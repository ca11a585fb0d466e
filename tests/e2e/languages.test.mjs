// The phone page in eight languages. The tables (assets/lang/*.json): the same keys as English,
// the plural forms each language has, the same placeholders, a line for every error code, and
// every language's page within TCP's first round trip. Then in a real browser: a browser in each
// language gets its page; a deck's `lang:` beats the browser; the phone's own menu beats both
// and stays chosen; plurals and an error the server sends come out in the chosen language.
// Screenshots go to target/test-screenshots/phone-{de,pl}.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  Socket, TIMEOUT, cleanUp, eventually, launchChromium, origin, pagesFromDisk, repo, shots, startOnDeck, text,
} from './lib.mjs';

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl'];
const PAGE = path.join(repo, 'assets', 'participant.html');
const table = (lang) => JSON.parse(fs.readFileSync(path.join(repo, 'assets', 'lang', `${lang}.json`), 'utf8'));
const TABLES = Object.fromEntries(LANGUAGES.map((lang) => [lang, table(lang)]));
const EN = TABLES.en;

// 14 KiB is what arrives in TCP's first round trip; about 400 bytes of it are headers, and the
// build's zopfli compresses a little better than gzip -9, which this measures.
const BUDGET = 13_400;

// ---- The tables ----

const forms = (value) => (typeof value === 'string' ? [value] : Object.values(value));
const placeholders = (value) => new Set(forms(value).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));

test('every table has the keys English has, each a line or the plural forms of its language', () => {
  for (const lang of LANGUAGES) {
    const strings = TABLES[lang];
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(EN).sort(), `${lang}: the keys`);
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    for (const [key, value] of Object.entries(strings)) {
      // A language may need plural forms where English needs none, or none where English does
      // ("do {n} odpowiedzi" is right for every n); a plural entry has exactly its language's forms.
      if (typeof value !== 'string') {
        assert.deepEqual(Object.keys(value).sort(), categories, `${lang}.${key}: the plural forms of ${lang}`);
      }
      for (const line of forms(value)) assert.ok(line.trim() && line === line.trim(), `${lang}.${key}: ${JSON.stringify(line)}`);
      // The same words filled in: only English's placeholders, and all of them but the count,
      // which a singular form may spell out ("Type a word").
      const mine = placeholders(value);
      const english = placeholders(EN[key]);
      for (const name of mine) assert.ok(english.has(name), `${lang}.${key}: {${name}} is not in English`);
      for (const name of english) if (name !== 'n') assert.ok(mine.has(name), `${lang}.${key}: {${name}} is missing`);
      if (typeof value !== 'string' && english.has('n')) assert.ok(value.other.includes('{n}'), `${lang}.${key}: the count`);
    }
  }
});

test('every error code a phone may be sent has its own line; the page uses every key', () => {
  const source = fs.readFileSync(path.join(repo, 'src-tauri', 'core', 'src', 'protocol.rs'), 'utf8');
  const body = /pub enum ErrorCode \{([^}]*)\}/.exec(source)[1];
  const codes = [...body.matchAll(/^\s*([A-Z]\w*),/gm)].map((m) => m[1].replace(/(?<!^)[A-Z]/g, (c) => `_${c}`).toLowerCase());
  // The phone's socket sends the codes in its section of the protocol (the remote's have their own page).
  const docs = fs.readFileSync(path.join(repo, 'docs', 'protocol.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Participant socket'), docs.indexOf('## Presenter socket'));
  const errors = section.slice(section.indexOf('| code | meaning |')).split('\n\n')[0];
  const phoneCodes = [...errors.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.ok(phoneCodes.length >= 17, `codes read from docs/protocol.md: ${phoneCodes}`);
  for (const code of phoneCodes) assert.ok(codes.includes(code), `${code} is not an ErrorCode in protocol.rs`);
  // `unavailable` (the server shutting down) is never shown: the page sends again once reconnected.
  for (const code of phoneCodes.filter((c) => c !== 'unavailable')) assert.ok(`e.${code}` in EN, `no line for the error code ${code}`);
  assert.ok('e' in EN, 'a line for an error code the page does not know');
  const page = fs.readFileSync(PAGE, 'utf8');
  for (const key of Object.keys(EN).filter((k) => !k.startsWith('e.'))) {
    assert.ok(page.includes(`'${key}'`) || page.includes(`data-t="${key}"`), `the page never uses the key ${key}`);
  }
  // No English left in the page's markup or script: its words all come from the tables.
  const markup = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<script>[\s\S]*?<\/script>/, '');
  const words = markup.replace(/<[^>]*>/g, ' ').replace(/\{\{\w+\}\}|Handsup/g, ' ').trim();
  assert.equal(words, '', 'text in the markup');
});

// The page as the build makes it for `lang` (src-tauri/core/build.rs): trimmed, and its strings put
// in as serde_json writes them, keys in order.
function builtPage(lang) {
  const trimmed = fs.readFileSync(PAGE, 'utf8').split('\n').map((line) => line.trim())
    .filter((line) => line && !line.startsWith('// ') && line !== '//').map((line) => `${line}\n`).join('');
  const build = fs.readFileSync(path.join(repo, 'src-tauri', 'core', 'build.rs'), 'utf8');
  const languages = [...build.matchAll(/^\s*\("([a-z]{2})", "([^"]+)"\),$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(languages.map(([code]) => code), LANGUAGES, 'the build\'s languages');
  const sorted = (v) => (Array.isArray(v) ? v.map(sorted)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  const i18n = JSON.stringify(sorted({ lang, languages, strings: TABLES[lang] })).replaceAll('</', '<\\/');
  return trimmed.replaceAll('{{lang}}', lang).replaceAll('{{i18n}}', () => i18n);
}

test(`every language's page is at most ${BUDGET} bytes under gzip -9`, () => {
  const sizes = Object.fromEntries(LANGUAGES.map((lang) => [lang, zlib.gzipSync(builtPage(lang), { level: 9 }).length]));
  console.log(`the phone page under gzip -9: ${JSON.stringify(sizes)}`);
  for (const [lang, size] of Object.entries(sizes)) assert.ok(size <= BUDGET, `${lang}: ${size} bytes`);
});

// ---- In a browser ----

let server;
let french;
const browsers = [];
const pageErrors = [];

const DECK = `---
title: Eight languages
nicknames: true
qa: true
---

# Welcome

---

<!-- question: multiple max=3 id=topics -->
# Ownership, async or macros?

- Ownership
- Async
- Macros
`;

before(async () => {
  server = await startOnDeck('languages', DECK);
  french = await startOnDeck('languages-fr', '---\ntitle: Bonjour\nlang: fr\n---\n\n# Bienvenue\n');
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  for (const browser of browsers) await browser.close();
  await cleanUp({ server: french?.child, exited: french?.exited, dataDir: french?.dataDir });
  await cleanUp({ server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

// Chromium as a phone set to `lang`: `--lang` names the browser's language, and on Linux
// `--accept-lang` is what puts it in the requests' Accept-Language. When the test serves the page
// from disk it fetches the page itself, and that request carries Accept-Language only when the
// context names its locale.
async function browserIn(lang) {
  const browser = await launchChromium([`--lang=${lang}`, `--accept-lang=${lang}`]);
  browsers.push(browser);
  return browser;
}

async function openPhone(browser, url, lang, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, hasTouch: true, ...(process.env.HANDSUP_PAGES_FROM_DISK ? { locale: lang } : {}), ...options,
  });
  await pagesFromDisk(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${lang}: ${err.message}`));
  const response = await page.goto(url);
  return { page, response };
}

// What the page says in a language, as t() in the page would: a plural entry's form for `n`.
function say(lang, key, n, vars = {}) {
  const value = TABLES[lang][key];
  const line = typeof value === 'string' ? value : value[new Intl.PluralRules(lang).select(n)];
  return line.replace(/\{(\w+)\}/g, (_, name) => (name === 'n' ? n.toLocaleString(lang) : vars[name]));
}

test('a browser in each language gets the page in that language', async () => {
  for (const lang of LANGUAGES) {
    const browser = await browserIn(lang);
    const { page, response } = await openPhone(browser, server.participant, lang);
    assert.equal(response.headers()['content-language'], lang, `${lang}: Content-Language`);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await eventually(`${lang}: the name prompt`, () => text(page, 'label[for=nn]'), TABLES[lang].nk);
    // "Connecting…" until the socket's first state arrives.
    await eventually(`${lang}: waiting`, () => text(page, '#h'), TABLES[lang].wt);
    assert.equal(await text(page, 'label[for=lg]'), TABLES[lang].lg, `${lang}: the menu's label`);
    assert.equal(await page.locator('#lg').inputValue(), lang, `${lang}: the menu shows the language chosen`);
    assert.deepEqual(await page.locator('#lg option').allTextContents(),
      ['English', 'Deutsch', 'Français', 'Español', 'Italiano', 'Nederlands', 'Português', 'Polski']);
    assert.equal(await text(page, '#qh'), TABLES[lang].qa, `${lang}: Q&A`);
    await eventually(`${lang}: no questions yet`, () => text(page, '#qan'), say(lang, 'qn', 0));
    if (lang === 'de') {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: path.join(shots, 'phone-de.png') });
    }
    await browser.close();
    browsers.splice(browsers.indexOf(browser), 1);
  }
});

test('a deck with `lang: fr` gets French phones, even from a German browser', async () => {
  const browser = await browserIn('de');
  const { page, response } = await openPhone(browser, french.participant, 'de');
  assert.equal(response.headers()['content-language'], 'fr');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await eventually('French', () => text(page, '#h'), TABLES.fr.wt);
  await page.context().close();
});

test('the phone\'s own menu: Polski, kept across reloads; plurals and a refused name in Polish', async () => {
  const browser = await browserIn('de');
  const { page } = await openPhone(browser, server.participant, 'de');
  await eventually('German first', () => text(page, '#h'), TABLES.de.wt);
  const participant = await page.evaluate(() => localStorage.getItem('handsup-participant'));
  assert.ok(participant, 'a participant id');
  // The menu is a labelled select: chosen by its label, as a screen reader user would find it.
  await Promise.all([page.waitForEvent('load'), page.getByLabel(TABLES.de.lg, { exact: true }).selectOption({ label: 'Polski' })]);
  await eventually('Polish after the reload', () => text(page, '#h'), TABLES.pl.wt);
  assert.equal(await page.getAttribute('html', 'lang'), 'pl');
  assert.equal(await page.locator('#lg').inputValue(), 'pl');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'handsup-lang');
  assert.equal(cookie?.value, 'pl', 'the choice is kept in a cookie');
  assert.ok(cookie.expires > Date.now() / 1000 + 300 * 24 * 3600, 'for a year');
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(await page.evaluate(() => localStorage.getItem('handsup-participant')), participant, 'the same participant');
  await page.reload();
  await eventually('still Polish', () => text(page, '#h'), TABLES.pl.wt);

  // A name someone else has: the server's refusal (its code) in Polish, not its English message.
  const other = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
  await other.opened;
  other.send({ type: 'hello', participant: 'languages-other' });
  assert.equal((await other.request({ type: 'name', nickname: 'Ada' }, ['nickname'])).type, 'nickname');
  await page.getByLabel(TABLES.pl.nk, { exact: true }).fill('ada');
  await page.keyboard.press('Enter');
  await eventually('the refusal in Polish', () => text(page, '[role=alert]'), TABLES.pl['e.nickname_taken']);
  await page.getByLabel(TABLES.pl.nk, { exact: true }).fill('Jadwiga');
  await page.keyboard.press('Enter');
  await eventually('in the game', () => text(page, '#status'), say('pl', 'as', 0, { x: 'Jadwiga' }));

  // Questions in the Q&A: 1 pytanie, 2–4 pytania, 5 pytań (Polish has a form for each).
  const counts = [];
  for (let i = 1; i <= 5; i++) {
    await other.request({ type: 'ask', text: `Pytanie numer ${i}?` }, ['ack']);
    await eventually(`${i} in the list`, () => page.locator('#qal li').count(), i, 5_000);
    counts.push(await text(page, '#qan'));
  }
  assert.deepEqual(counts, ['1 pytanie', '2 pytania', '3 pytania', '4 pytania', '5 pytań']);
  assert.deepEqual(counts, [1, 2, 3, 4, 5].map((n) => say('pl', 'qn', n)));

  // A question: its hint with its number in Polish; an unknown error code: the generic line.
  const desk = new Socket(`ws://${new URL(server.presenter).host}/ws?token=${new URL(server.presenter).searchParams.get('token')}`, origin(server.presenter));
  await desk.opened;
  desk.send({ type: 'goto', slide: 1 });
  await eventually('the question', () => text(page, '#h'), 'Ownership, async or macros?');
  assert.equal(await text(page, '#hint'), say('pl', 'multiple', 3));
  assert.equal(await text(page, '#send'), TABLES.pl.submit);
  await page.getByRole('button', { name: 'Async', exact: true }).click();
  await eventually('not sent yet, in Polish', () => text(page, '#status'), `${TABLES.pl.df} ${say('pl', 'ts', 0, { x: TABLES.pl.submit })}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(shots, 'phone-pl.png') });
  desk.ws.terminate();
  other.ws.terminate();
  await page.context().close();
});

test('an error code the page does not know: a line in the phone\'s language, never the server\'s English', async () => {
  const browser = await browserIn('it');
  const context = await browser.newContext({ ...(process.env.HANDSUP_PAGES_FROM_DISK ? { locale: 'it' } : {}) });
  await pagesFromDisk(context);
  let toPage;
  await context.routeWebSocket(/\/ws$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((message) => upstream.send(message));
    upstream.onMessage((message) => ws.send(message));
    toPage = ws;
  });
  const page = await context.newPage();
  await page.goto(server.participant);
  await eventually('the first state', async () => ![TABLES.it.cn, ''].includes(await text(page, '#h')), true);
  // A newer server's refusal, in its English.
  toPage.send(JSON.stringify({ type: 'error', code: 'something_new', message: 'Something new went wrong' }));
  await eventually('the generic line in Italian', () => text(page, '#status'), TABLES.it.e);
  assert.equal(await page.getByText('Something new went wrong').count(), 0);
  await context.close();
});

test('no script errors in any language', () => {
  assert.deepEqual(pageErrors, []);
});
