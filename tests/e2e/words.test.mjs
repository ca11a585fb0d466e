// Participant text in a real browser against `handsup serve`: a word cloud typed on three phones
// and filled by 150 socket phones, open-text posts moderated from the presenter's queue with the
// keyboard, audience Q&A with upvotes and a highlighted question, live reactions (rising, and as
// counts with reduced motion), and the injection payloads of xss.test.mjs (and more) sent through
// all three paths and approved, so that the projector, the presenter view with its queue and a
// 320 px phone draw every one of them. Screenshots go to target/test-screenshots/words-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import {
  TIMEOUT, cleanUp, eventually, injectionPayloads, launchChromium, phoneLayout, shots, sleep, smallText,
  startOnDeck, startServer, text, onWholePage, openWatchedPage } from './lib.mjs';

const DECK = `---
title: Words, posts and questions
qa: true
reactions: 👏 ❤️ 🎉
blocklist: marmite, brussels sprouts
---

# Words, posts and questions

Join on your phone.

---

<!-- question: wordcloud max=3 id=cloud -->
# Three words for this session?

---

<!-- question: open max=2 moderate id=ideas -->
# What should we try next?

---

# Your questions

<!-- qa -->

---

# Thank you
`;
const SLIDES = 5;
const SLIDE = { cloud: 1, ideas: 2, qa: 3, end: 4 };

// The sweep's own deck: questions wait for approval, words and posts as many as allowed.
const SWEEP_DECK = `---
title: Hostile text
qa: moderate
---

# Hostile text

---

<!-- question: wordcloud max=10 results=phones id=sweep-words -->
# Any words?

---

<!-- question: open max=10 moderate id=sweep-posts -->
# Anything to say?

---

# Questions

<!-- qa -->
`;

// Besides the shared payloads: markup inside a bidi override, isolates and marks, joiners,
// emoji ZWJ sequences, Arabic and Hebrew, mixed directions, combining marks, very wide glyphs,
// and a 10,000-character line twice (one long word, and words).
const LONG_WORD = 'W'.repeat(10_000);
const LONG_LINE = 'a long line '.repeat(834).slice(0, 10_000);
const EXTRAS = [
  '\u202E<img src=x onerror="window.__xss++">\u202C',
  'abc\u202Edef\u202C ghi \u2066isolated\u2069 \u200Fmarked\u200E',
  'joined\u200Dby\u200Cjoiners \u200B\u200B\u200Bhidden',
  '👩\u200D💻 👨\u200D👩\u200D👧\u200D👦 🏳️\u200D🌈 🧑🏽\u200D🚀 ❤️\u200D🔥',
  'مرحبا بالعالم، كيف حالكم اليوم؟',
  'שלום עולם! מה שלומכם היום?',
  'Mixed: Hello עולם مرحبا 123 <b>bold</b> 456',
  'Z\u0335\u0321\u0322\u031B\u033C\u034D\u0348\u032C\u0330a\u0337\u0308\u0301\u0303\u0304l\u0336\u0327\u0328g\u0335\u0358\u035Do',
  '𒐫𒐫𒐫 ꧅꧅꧅ ௵௵௵',
  LONG_WORD,
  LONG_LINE,
];

let browser;
let main;
let sweep;
let dataDir;
let urls;
let presenter;
let projector;
let projectorOpened = 0;
// phones[0] is the cheap one: 320×640.
const phones = [];
const sockets = [];
const pageErrors = [];
const dialogs = [];

// ---- Pages ----

const openPage = (url, contextOptions) =>
  openWatchedPage(browser, url, contextOptions, { xss: true, pageErrors, dialogs });

const PHONE_SIZES = [{ width: 320, height: 640 }, { width: 390, height: 844 }, { width: 360, height: 740 }];
const openPhone = (url, i) =>
  openPage(url, { viewport: PHONE_SIZES[i], hasTouch: true, isMobile: true, deviceScaleFactor: i ? 1 : 2 });

const button = (page, name) => page.getByRole('button', { name, exact: true });
const status = (page) => text(page, '#status');
const shot = (page, name, options = {}) =>
  page.screenshot({ path: path.join(shots, `words-${name}.png`), animations: 'disabled', ...options });

// The texts of the visible elements matching `selector`, in document order.
const visibleTexts = (page, selector) => page.locator(selector).evaluateAll((els) =>
  els.filter((el) => el.checkVisibility()).map((el) => el.textContent.trim()));

// Everything a page holds as text: its text nodes and every attribute value (aria-label, title…).
const domText = (page) => page.evaluate(() => document.documentElement.textContent
  + [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value)).join('\n'));

// Moves the presenter to a slide with the arrow keys a clicker sends (from outside the queue).
async function goTo(index) {
  await presenter.evaluate(() => document.activeElement?.blur());
  for (;;) {
    const [at] = (await text(presenter, '#slide-number')).split(' / ').map(Number);
    if (at === index + 1) break;
    await presenter.keyboard.press(at < index + 1 ? 'ArrowRight' : 'ArrowLeft');
    await eventually('slide number after a key', async () => (await text(presenter, '#slide-number')) !== `${at} / ${SLIDES}`, true);
  }
}

// The projector at 1920×1080 and 1280×720; the stage fits both.
async function projectorShots(page, name) {
  for (const [width, height] of [[1920, 1080], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    await settle(page);
    assert.deepEqual(await stageProblems(page), [], `${name}: the stage at ${width}×${height}`);
    await shot(page, `projector-${name}-${width}x${height}`);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
  await settle(page);
}

// The cheap phone, the whole page as someone would scroll through it (see kinds.test.mjs).
async function phoneShot(phone, name) {
  await onWholePage(phone, (size) => shot(phone, `phone-${name}-${size.width}`));
}

// Waits for the page's animations (word moves, card moves, rising emoji aside) to end.
async function settle(page) {
  await sleep(150);
  await eventually('animations finished', () => page.evaluate(() => document.getAnimations()
    .filter((a) => a.playState === 'running' && !a.effect?.target?.classList?.contains('reaction')).length), 0);
}

// What is wrong with the stage as drawn: the page scrolls, the stage is larger than the window,
// something visible sticks out of the stage or its own box, or visible cards, words or rows overlap.
function stageProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1 || root.scrollHeight > root.clientHeight + 1) {
      problems.push(`the page scrolls: ${root.scrollWidth}×${root.scrollHeight} in ${root.clientWidth}×${root.clientHeight}`);
    }
    const stage = document.getElementById('stage');
    const s = stage.getBoundingClientRect();
    if (s.right > innerWidth + 1 || s.bottom > innerHeight + 1) problems.push('the stage is larger than the window');
    const name = (el) => `${el.className} «${el.textContent.trim().slice(0, 30)}»`;
    const boxes = (selector) => [...stage.querySelectorAll(selector)].filter((el) => el.checkVisibility())
      .map((el) => [el, el.getBoundingClientRect()]);
    for (const [el, r] of boxes('.slide > *, .results, .summary, .view, .card, .cloud-word, .qa-now, .qa-row, .qa-foot, .join, .reaction-counts')) {
      if (r.left < s.left - 1 || r.top < s.top - 1 || r.right > s.right + 1 || r.bottom > s.bottom + 1) {
        problems.push(`off the stage: ${name(el)}`);
      }
    }
    for (const [el] of boxes('.slide h1, .card-text, .qa-text, .qa-now-text, .join-url')) {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`wider than its box: ${name(el)}`);
    }
    // The reaction counts of a still projector cover nothing.
    const overlaps = (p, q) => Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
    for (const [counts, c] of boxes('.reaction-counts')) {
      for (const [el, r] of boxes('.slide > *, .results, .qa-board, .join')) if (overlaps(c, r)) problems.push(`${name(counts)} covers ${name(el)}`);
    }
    for (const [container, item] of [['.wall', '.card'], ['.cloud', '.cloud-word'], ['.qa-list', '.qa-row']]) {
      const box = stage.querySelector(container);
      if (!box || !box.checkVisibility()) continue;
      const b = box.getBoundingClientRect();
      const items = boxes(`${container} ${item}`);
      for (const [el, r] of items) {
        if (r.left < b.left - 1 || r.top < b.top - 1 || r.right > b.right + 1 || r.bottom > b.bottom + 1) {
          problems.push(`outside ${container}: ${name(el)}`);
        }
      }
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          if (overlaps(items[i][1], items[j][1])) problems.push(`overlap: ${name(items[i][0])} and ${name(items[j][0])}`);
        }
      }
    }
    return problems;
  });
}

// What of the presenter view is cut off at 1280 px: its join address in the header, a post in the queue.
function presenterProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) problems.push('the page scrolls sideways');
    const url = document.getElementById('network-url');
    const r = url.getBoundingClientRect();
    const box = url.parentElement.getBoundingClientRect();
    if (r.right > Math.min(box.right, root.clientWidth) + 0.5) problems.push(`the join address is cut off: «${url.textContent}»`);
    for (const el of document.querySelectorAll('#queue .post-text')) {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`a post is wider than the queue: «${el.textContent.slice(0, 40)}»`);
    }
    return problems;
  });
}

// No control under 48 px tall, and nothing wider than the screen.
async function checkPhone(phone, what) {
  const { small, overflow } = await phoneLayout(phone);
  const width = phone.viewportSize().width;
  assert.deepEqual(small, [], `${what}: touch targets under 48 px tall at ${width} px`);
  assert.equal(overflow, 0, `${what}: the page scrolls sideways at ${width} px`);
}

// ---- Phones without a browser: the participant socket as the page speaks it ----

// One socket (participant or presenter), keeping every frame it received.
class Socket {
  constructor(url, origin, id) {
    this.id = id;
    this.frames = [];
    this.closeCode = null;
    this.seq = 0;
    this.waiters = new Set();
    this.board = new Map();
    this.ws = new WebSocket(url, { origin });
    this.ws.on('message', (data) => this.receive(JSON.parse(String(data))));
    this.ws.on('close', (code) => { this.closeCode = code; this.wake(); });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    sockets.push(this);
  }

  receive(frame) {
    this.frames.push(frame);
    if (frame.type === 'state') this.state = frame;
    if (frame.type === 'qa') this.qa = frame;
    if (frame.type === 'board' || frame.type === 'board_changes') for (const post of frame.posts) this.board.set(post.id, post);
    this.wake();
  }

  wake() {
    for (const waiter of this.waiters) waiter();
  }

  // Resolves with check()'s first truthy value, checked on every frame.
  until(what, check, timeout = TIMEOUT) {
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (!value && this.closeCode !== null) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new Error(`${this.id}: ${what}, but the server closed the socket with ${this.closeCode}`));
        }
        if (!value) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.id}: ${what} within ${timeout} ms; last frames ${JSON.stringify(this.frames.slice(-3)).slice(0, 600)}`));
      }, timeout);
      this.waiters.add(waiter);
      waiter();
    });
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  // Sends a frame with a request id; resolves with its ack or error.
  request(frame) {
    const request = `${this.id}-${++this.seq}`;
    const from = this.frames.length;
    this.send({ ...frame, request });
    return this.until(`a reply to ${request}`, () => this.frames.slice(from).find((f) => f.request === request && (f.type === 'ack' || f.type === 'error')));
  }

  // Resolves with the close code once the server closed the socket.
  closed() {
    return this.until('the socket closed', () => this.closeCode);
  }
}

const origin = (url) => `http://${new URL(url).host}`;

async function phoneSocket(server, id) {
  const socket = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant), id);
  await socket.opened;
  socket.send({ type: 'hello', participant: id });
  await socket.until('the first state', () => socket.state);
  return socket;
}

// The presenter's socket as the presenter view opens it: with the moderation queue.
async function presenterSocket(server) {
  const url = new URL(server.presenter);
  const socket = new Socket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}&moderation=1`, origin(server.presenter), 'presenter');
  await socket.opened;
  await socket.until('the board', () => socket.frames.some((f) => f.type === 'board'));
  return socket;
}

const ack = (reply) => {
  assert.equal(reply.type, 'ack', `refused: ${JSON.stringify(reply)}`);
  return reply;
};

// ---- Setup ----

before(async () => {
  main = await startOnDeck('words', DECK);
  dataDir = main.dataDir;
  urls = { participant: main.participant, presenter: main.presenter };
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });

  presenter = await openPage(urls.presenter, { viewport: { width: 1280, height: 800 } });
  projector = await openPage(`${urls.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } });
  projectorOpened = Date.now();
  for (let i = 0; i < PHONE_SIZES.length; i++) phones.push(await openPhone(urls.participant, i));
  await eventually('phones on the presenter', async () => Number(await text(presenter, '#participants')), 3);
  await eventually('slides on the presenter', () => text(presenter, '#slide-number'), `1 / ${SLIDES}`);
});

after(async () => {
  for (const socket of sockets) socket.ws.terminate();
  await cleanUp({ browser, server: main?.child, exited: main?.exited });
  await cleanUp({ server: sweep?.child, exited: sweep?.exited, dataDir });
});

// ---- Word cloud ----

// 150 socket phones: a few words most of them send, some that several send, and one of their own each.
const COMMON = ['ownership', 'fearless', 'borrow checker', 'cargo', 'traits', 'zero cost', 'macros', 'safety'];
const SOME = ['lifetimes', 'async', 'tokio', 'clippy', 'pattern matching', 'enums', 'iterators', 'closures', 'generics',
  'rustfmt', 'crates', 'unsafe', 'compile times', 'error messages', 'Result', 'Option', 'modules', 'testing',
  'documentation', 'wasm', 'embedded', 'performance', 'memory', 'threads', 'channels', 'mutex', 'Arc', 'slices',
  'strings', 'vectors'];
const OWN = ['serde', 'rayon', 'axum', 'hyper', 'tracing', 'anyhow', 'thiserror', 'clap', 'proptest', 'criterion',
  'bevy', 'tauri', 'diesel', 'sqlx', 'reqwest', 'regex', 'nom', 'pest', 'syn', 'quote', 'proc macros', 'derive',
  'trait objects', 'dyn', 'impl Trait', 'const generics', 'GATs', 'pinning', 'futures', 'streams', 'select',
  'borrowing', 'moves', 'copy', 'clone', 'drop', 'RAII', 'smart pointers', 'Box', 'Rc', 'RefCell', 'Cell', 'interior mutability',
  'shadowing', 'match', 'if let', 'let else', 'loops', 'labels', 'ranges', 'HashMap', 'BTreeMap', 'VecDeque', 'sorting',
  'binary search', 'FFI', 'bindgen', 'cbindgen', 'no_std', 'alloc', 'allocators', 'SIMD', 'atomics', 'ordering',
  'lock free', 'crossbeam', 'parking_lot', 'once_cell', 'lazy statics', 'build scripts', 'features', 'workspaces',
  'editions', 'MSRV', 'semver', 'crates.io', 'docs.rs', 'rustup', 'toolchains', 'nightly', 'Miri', 'sanitizers',
  'fuzzing', 'benchmarks', 'profiling', 'flamegraphs', 'logging', 'metrics', 'CLI tools', 'web servers', 'databases',
  'game dev', 'kernels', 'drivers', 'Linux', 'Android', 'WebAssembly', 'Python bindings', 'PyO3', 'Node bindings',
  'napi', 'C interop', 'C++ interop', 'cxx', 'Zig', 'Go', 'Haskell', 'OCaml', 'Kotlin', 'Swift', 'mentoring', 'community',
  'the book', 'rustlings', 'exercism', 'Advent of Code', 'code review', 'refactoring', 'type inference', 'turbofish',
  'newtype', 'builder pattern', 'typestate', 'state machines', 'parsers', 'compilers', 'interpreters', 'LLVM',
  'Cranelift', 'incremental', 'linking', 'mold', 'sccache', 'CI', 'GitHub Actions', 'cross compiling', 'musl',
  'Docker', 'deployment', 'observability', 'OpenTelemetry', 'gRPC', 'tonic', 'protobuf', 'JSON', 'YAML', 'Ferris',
  'borrowck', 'lints', 'Cow'];

test('word cloud: case variants count as one, a blocked word never reaches the projector, 150 words fit', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.cloud);
  for (const phone of phones) {
    await eventually('the question on the phone', () => text(phone, '#h'), 'Three words for this session?');
    assert.equal(await text(phone, '#hint'), 'Type up to 3 words or short phrases.');
  }
  await checkPhone(phones[0], 'word cloud');

  // Three phones type words, the same word in three cases, and the deck's blocked word twice.
  const typed = [['Rust', 'fast', 'Marmite'], ['rust', 'Fast', 'community'], ['RUST', 'marmite', 'tooling']];
  for (const [i, words] of typed.entries()) {
    const phone = phones[i];
    for (const [k, word] of words.entries()) await phone.getByLabel(`Word ${k + 1}`, { exact: true }).fill(word);
    await button(phone, 'Submit').click();
    await eventually('the phone says saved', async () => (await status(phone)).startsWith('Saved.'), true);
  }
  await checkPhone(phones[0], 'word cloud, answered');
  await phoneShot(phones[0], 'cloud');

  // One word shown for its three spellings, as first typed; the blocked word nowhere.
  const summary = '3 answers. Top words: Rust, 3; fast, 2; community, 1; tooling, 1.';
  await eventually('the projector\'s cloud', async () => [await text(projector, '#stage .cloud-summary'),
    (await visibleTexts(projector, '#stage .cloud-word')).sort()], [summary, ['Rust', 'community', 'fast', 'tooling']]);
  await eventually('the presenter\'s cloud', () => text(presenter, '#bars .cloud-summary'), summary);
  assert.doesNotMatch(await domText(projector), /marmite/i, 'the blocked word is in the projector\'s page');
  // The speaker learns that a word was kept off; the room does not.
  assert.equal(await text(presenter, '#bars .cloud-note'), '1 filtered');
  assert.equal(await projector.locator('#stage .cloud-note').isVisible(), false);
  await settle(projector);
  assert.deepEqual(await stageProblems(projector), [], 'the projector\'s stage with four words');

  // 150 phones more, sending three words each: the cloud then holds its 150 words.
  const n = 150;
  const answers = Array.from({ length: n }, (_, i) => [COMMON[Math.floor(COMMON.length * (i / n) ** 2)], SOME[i % SOME.length], OWN[i]]);
  const clients = await Promise.all(answers.map((_, i) => phoneSocket(main, `cloud-phone-${String(i).padStart(3, '0')}`)));
  const replies = await Promise.all(clients.map((client, i) => client.request({ type: 'vote', question: 'cloud', answer: { words: answers[i] } })));
  replies.forEach((reply, i) => assert.deepEqual(ack(reply).answer, { words: answers[i] }));

  // The counts the cloud must show (ties may come in any order: the phones sent at once).
  const counts = new Map();
  for (const word of [...typed.flat(), ...answers.flat()]) {
    if (/marmite/i.test(word)) continue;
    const key = word.toLowerCase();
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  assert.ok(counts.size > 150, `only ${counts.size} different words`);
  const ranked = [...counts.values()].sort((a, b) => b - a);
  await eventually('153 answers on the projector', async () => (await text(projector, '#stage .cloud-summary')).split('.')[0], '153 answers');
  await settle(projector);
  const words = await projector.locator('#stage .cloud-word').evaluateAll((els) => els.map((el) => ({ text: el.textContent, shown: el.checkVisibility() })));
  assert.equal(words.length, 150, 'the cloud holds the 150 most frequent words');
  assert.deepEqual(words.filter((w) => !w.shown).map((w) => w.text), [], 'every word of the cloud is on screen');
  const spoken = (await text(projector, '#stage .cloud-summary')).replace(/^153 answers\. Top words: /, '').replace(/; and \d+ more\.$/, '').split('; ');
  assert.deepEqual(spoken.map((s) => Number(s.split(', ').at(-1))), ranked.slice(0, spoken.length), 'the top words by count');
  for (const s of spoken) {
    const word = s.slice(0, s.lastIndexOf(', '));
    assert.equal(counts.get(word.toLowerCase()), Number(s.split(', ').at(-1)), `the count of ${word}`);
  }
  // The 150th count: every word counted more often is in the cloud.
  const shownWords = new Set(words.map((w) => w.text.toLowerCase()));
  for (const [word, count] of counts) if (count > ranked[149]) assert.ok(shownWords.has(word), `${word} (${count}) is missing`);
  assert.doesNotMatch(await domText(projector), /marmite/i, 'the blocked word is in the projector\'s page');
  // The largest words are read from the back of the room: at least 56 px at 1920×1080.
  const largest = await projector.locator('#stage .cloud-word').evaluateAll((els) => Math.max(...els.map((el) => parseFloat(el.style.fontSize))));
  assert.ok(largest >= 56, `the largest word is ${largest} px`);
  await projectorShots(projector, 'cloud');
  assert.deepEqual(await presenterProblems(presenter), [], 'the presenter view');
  await shot(presenter, 'presenter-cloud-1280x800');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

// ---- Open text, moderated ----

const IDEAS = [
  'Pair programming on Fridays',
  'More live coding, fewer slides',
  'Could we keep a shared document of the questions that come up during the week, so that people who could not attend can read the answers later and add their own notes?',
  'مزيد من الأمثلة العملية من فضلك',
  'Less marmite in the office kitchen',
  'Keep the demos short',
  'Nobody reads the wiki anyway',
  'Rotate who runs the retro',
  'Shorter stand-ups, please',
];
const MASKED = 'Less ••• in the office kitchen';

test('open text, moderated: the queue holds posts back; A approves, P pins, H hides, from the keyboard', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.ideas);
  for (const phone of phones) {
    await eventually('the question on the phone', () => text(phone, '#h'), 'What should we try next?');
    assert.equal(await text(phone, '#hint'), 'Type your answer. You can send up to 2 answers; each is final.');
  }
  const post = async (phone, words) => {
    await phone.getByLabel('Your answer', { exact: true }).fill(words);
    await button(phone, 'Submit').click();
    await eventually('the phone says sent', () => status(phone), 'Sent. It will appear once the presenter approves it.');
  };
  await post(phones[0], IDEAS[0]);
  assert.equal(await text(phones[0], '#hint'), 'Type your answer. You can send 1 more.');
  await post(phones[1], IDEAS[1]);
  await post(phones[2], IDEAS[2]);
  await post(phones[0], IDEAS[3]);
  // Two posts were all it takes: the box is gone.
  assert.equal(await text(phones[0], '#hint'), 'You sent all 2 of your answers. Thank you!');
  assert.equal(await phones[0].locator('#send').isVisible(), false, 'no Submit once every post is sent');
  await checkPhone(phones[0], 'open text, all sent');
  await phoneShot(phones[0], 'open');
  // The rest from socket phones, in this order; the last one tries a third post.
  const [a, b, c, d] = await Promise.all(['idea-phone-a', 'idea-phone-b', 'idea-phone-c', 'idea-phone-d'].map((id) => phoneSocket(main, id)));
  for (const [client, words] of [[a, IDEAS[4]], [b, IDEAS[5]], [c, IDEAS[6]], [d, IDEAS[7]], [d, IDEAS[8]]]) {
    const reply = ack(await client.request({ type: 'vote', question: 'ideas', answer: { text: words } }));
    assert.equal(reply.state, 'pending');
    assert.deepEqual(reply.answer, { text: words });
  }
  const third = await d.request({ type: 'vote', question: 'ideas', answer: { text: 'One idea too many' } });
  assert.deepEqual([third.type, third.code], ['error', 'too_many_posts']);

  // Everything waits: the presenter's queue holds all nine in the order they came; the room sees none.
  const queue = () => presenter.locator('#queue li.post').evaluateAll((rows) =>
    rows.map((row) => `${row.querySelector('.post-state').textContent} | ${row.querySelector('.post-text').textContent}`));
  await eventually('the pending queue', queue, IDEAS.map((idea) => `Pending | ${idea}`));
  await eventually('the filter counts', () => visibleTexts(presenter, '#moderation-filters button'), ['Pending 9', 'Shown 0', 'Hidden 0', 'Answered 0']);
  assert.equal(await text(presenter, '#queue li.post:nth-child(5) .post-masked'), `On screen: ${MASKED}`);
  await eventually('the projector\'s wall is empty', () => projector.locator('#stage .wall .card').count(), 0);
  assert.equal(await projector.locator('#stage .wall-empty').isVisible(), true);
  assert.doesNotMatch(await domText(projector), /waiting for approval|Pair programming/, 'the room learns nothing of the queue');
  assert.deepEqual(await presenterProblems(presenter), [], 'the presenter view');
  await shot(presenter, 'presenter-queue-pending-1280x800');

  // From the keyboard, in the queue: A five times works down it, then P pins and H hides.
  await presenter.locator('#queue li.post').first().focus();
  const focused = () => presenter.evaluate(() => document.activeElement.closest('li.post')?.querySelector('.post-text').textContent);
  for (const [i, key] of ['a', 'a', 'a', 'a', 'a', 'p', 'h'].entries()) {
    assert.equal(await focused(), IDEAS[i], `the selected post before ${key.toUpperCase()}`);
    await presenter.keyboard.press(key);
    await eventually(`the selection moves on after ${key.toUpperCase()}`, focused, IDEAS[i + 1]);
  }
  await eventually('the filter counts after moderation', () => visibleTexts(presenter, '#moderation-filters button'), ['Pending 2', 'Shown 6', 'Hidden 1', 'Answered 0']);
  await eventually('two posts still wait', queue, IDEAS.slice(7).map((idea) => `Pending | ${idea}`));

  // The wall: the approved posts (the filtered word masked) and the pinned one, large; never the rest.
  const approved = [...IDEAS.slice(0, 4), MASKED];
  await eventually('the projector\'s wall', async () => (await visibleTexts(projector, '#stage .wall .card:not(.pinned) .card-text')).sort(), approved.slice().sort());
  await eventually('the pinned post', () => visibleTexts(projector, '#stage .wall .card.pinned'), [`Pinned${IDEAS[5]}`]);
  const room = await domText(projector);
  for (const kept of [...IDEAS.slice(6), 'marmite']) assert.ok(!room.includes(kept), `the projector shows «${kept}»`);
  await settle(projector);
  const sizes = await projector.locator('#stage .wall .card').evaluateAll((cards) => cards.map((card) => ({
    pinned: card.classList.contains('pinned'), font: parseFloat(getComputedStyle(card).fontSize), width: card.offsetWidth,
    transform: card.style.transform })));
  const pinned = sizes.find((s) => s.pinned);
  const others = sizes.filter((s) => !s.pinned);
  assert.equal(pinned.transform, 'translate(0px, 0px)', 'the pinned post is top left');
  for (const card of others) {
    assert.ok(pinned.font > card.font, `the pinned post's type (${pinned.font} px) is larger than ${card.font} px`);
    assert.ok(pinned.width > card.width, `the pinned card (${pinned.width} px) is wider than ${card.width} px`);
  }
  assert.deepEqual(await smallText(projector, '#stage', 28), [], 'text under 28 px on the projector');
  await projectorShots(projector, 'wall');
  await presenter.locator('#moderation-filters [data-filter=shown]').click();
  await eventually('the shown posts in the queue', () => presenter.locator('#queue li.post').count(), 6);
  assert.deepEqual(await presenterProblems(presenter), [], 'the presenter view');
  await shot(presenter, 'presenter-queue-shown-1280x800');
  await presenter.locator('#moderation-filters [data-filter=pending]').click();
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

// ---- Q&A ----

const QUESTIONS = [
  'How do lifetimes work with async functions?',
  'What is next for the borrow checker?',
  'Will the slides be shared after the session?',
  "Is there a recording of last week's talk?",
  'كيف نبدأ باستخدام Rust في مشروع قائم؟',
  'We maintain a large C++ code base with a custom build system and strict review rules: what is the smallest first step that would let one team try Rust in production without asking everybody else to change how they work?',
];

test('Q&A: phones ask and upvote others\' questions, never their own; the projector counts; L highlights', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.qa);
  await eventually('the empty board', () => text(projector, '#stage .qa-empty'), 'Ask on your phone: the most upvoted questions appear here');
  for (const phone of phones) {
    await eventually('Q&A on the phone', () => phone.locator('#qa').isVisible(), true);
    assert.equal(await text(phone, '#h'), 'Waiting for the next question');
    assert.equal(await text(phone, '#qai'), 'Ask a question, or upvote the ones you want answered.');
  }
  const ask = async (phone, words) => {
    await phone.getByLabel('Your question', { exact: true }).fill(words);
    await button(phone, 'Send question').click();
    await eventually('the phone says sent', () => status(phone), 'Sent.');
    assert.equal(await phone.getByLabel('Your question', { exact: true }).inputValue(), '', 'the box is empty again');
  };
  for (let i = 0; i < 3; i++) await ask(phones[i], QUESTIONS[i]);
  const [q3, q4, q5] = await Promise.all(['asker-phone-3', 'asker-phone-4', 'asker-phone-5'].map((id) => phoneSocket(main, id)));
  for (const [client, words] of [[q3, QUESTIONS[3]], [q4, QUESTIONS[4]], [q5, QUESTIONS[5]]]) {
    assert.equal(ack(await client.request({ type: 'ask', text: words })).state, 'shown');
  }
  await eventually('every question on the phones', () => phones[0].locator('#qal li').count(), 6);
  const id = (words) => q3.qa.entries.find((e) => e.text === words)?.id;
  await q3.until('every question in the qa frame', () => q3.qa?.entries.length === 6);

  // Upvotes: on the phone, with the button beside each question; from the sockets, as frames.
  const upvote = (phone, words) => phone.getByRole('button', { name: new RegExp(`^Upvote: ${words.slice(0, 20).replace(/[?.()]/g, '\\$&')}`) });
  for (const [phone, words] of [[phones[1], QUESTIONS[0]], [phones[2], QUESTIONS[0]], [phones[2], QUESTIONS[1]], [phones[0], QUESTIONS[2]]]) {
    await upvote(phone, words).click();
    await eventually('the upvote is pressed', () => upvote(phone, words).getAttribute('aria-pressed'), 'true');
  }
  for (const [client, words] of [[q3, 0], [q3, 5], [q4, 0], [q4, 1], [q4, 5], [q5, 0]]) {
    ack(await client.request({ type: 'upvote', entry: id(QUESTIONS[words]), on: true }));
  }
  // One's own question has no upvote button, and the server refuses the frame anyway.
  assert.equal(await upvote(phones[0], QUESTIONS[0]).count(), 0, 'an upvote button on one\'s own question');
  const own = await q5.request({ type: 'upvote', entry: id(QUESTIONS[5]), on: true });
  assert.deepEqual([own.type, own.code], ['error', 'own_entry']);

  // By votes, then the newest first.
  const expected = [['5', 'votes', 0], ['2', 'votes', 5], ['2', 'votes', 1], ['1', 'vote', 2], ['0', 'votes', 4], ['0', 'votes', 3]]
    .map(([n, word, i]) => `${n} ${word} | ${QUESTIONS[i]}`);
  const board = (page) => page.locator('#stage .qa-list .qa-row').evaluateAll((rows) => rows.filter((row) => row.checkVisibility()).map((row) =>
    `${row.querySelector('.qa-count').textContent} ${row.querySelector('.qa-count-word').textContent} | ${row.querySelector('.qa-text').textContent}`));
  await eventually('the projector\'s board', () => board(projector), expected);
  const list = (phone) => phone.locator('#qal li').evaluateAll((items) => items.map((li) => {
    const up = li.querySelector('.up');
    return `${li.querySelector('.t').textContent} | ${up.hidden ? li.querySelector('.mut').textContent : `▲ ${up.textContent.slice(2)} ${up.getAttribute('aria-pressed')}`}`;
  }));
  await eventually('phone 1\'s list', () => list(phones[0]), [
    `${QUESTIONS[0]} | Your question · 5 upvotes`, `${QUESTIONS[5]} | ▲ 2 false`, `${QUESTIONS[1]} | ▲ 2 false`,
    `${QUESTIONS[2]} | ▲ 1 true`, `${QUESTIONS[4]} | ▲ 0 false`, `${QUESTIONS[3]} | ▲ 0 false`]);
  await eventually('phone 3\'s list', async () => (await list(phones[2])).slice(0, 3), [
    `${QUESTIONS[0]} | ▲ 5 true`, `${QUESTIONS[5]} | ▲ 2 false`, `${QUESTIONS[1]} | ▲ 2 true`]);
  await checkPhone(phones[0], 'Q&A');
  await checkPhone(phones[1], 'Q&A');

  // The presenter highlights a question from the queue (L), and marks another answered (D).
  await presenter.locator('#moderation-filters [data-filter=shown]').click();
  const row = (words) => presenter.locator('#queue li.post').filter({ has: presenter.locator('.post-text', { hasText: words }) });
  await row(QUESTIONS[1]).focus();
  await presenter.keyboard.press('l');
  await eventually('the highlighted question on the projector', async () => [
    await projector.locator('#stage .qa-now').isVisible(), await text(projector, '#stage .qa-now-label'), await text(projector, '#stage .qa-now-text'),
    await text(projector, '#stage .qa-now-votes .qa-count')], [true, 'Now answering', QUESTIONS[1], '2']);
  await row(QUESTIONS[2]).focus();
  await presenter.keyboard.press('d');
  await eventually('the board after L and D', () => board(projector), [
    `5 votes | ${QUESTIONS[0]}`, `2 votes | ${QUESTIONS[5]}`, `0 votes | ${QUESTIONS[4]}`, `0 votes | ${QUESTIONS[3]}`, `1 vote | ${QUESTIONS[2]}`]);
  assert.equal(await projector.locator('#stage .qa-row.answered .qa-tag').isVisible(), true, 'the answered question says so');
  const fonts = await projector.evaluate(() => [...document.querySelectorAll('#stage .qa-now-text, #stage .qa-row .qa-text')]
    .map((el) => parseFloat(getComputedStyle(el).fontSize)));
  assert.ok(fonts.slice(1).every((f) => fonts[0] >= f * 1.5), `the highlighted question is drawn large: ${fonts}`);
  for (const phone of phones) {
    await eventually('the highlight on the phone', () => visibleTexts(phone, '#qal li.hl .tg'), ['★ Highlighted']);
  }
  assert.equal(await text(phones[0], '#qal li.hl .t'), QUESTIONS[1]);
  assert.deepEqual(await smallText(projector, '#stage', 28), [], 'text under 28 px on the projector');
  await checkPhone(phones[0], 'Q&A, highlighted');
  await projectorShots(projector, 'qa');
  await phoneShot(phones[0], 'qa');
  assert.deepEqual(await presenterProblems(presenter), [], 'the presenter view');
  await shot(presenter, 'presenter-qa-1280x800');
  await presenter.locator('#moderation-filters [data-filter=pending]').click();
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

// ---- Reactions ----

test('reactions: a tap rises on the projector; with reduced motion the projector shows counts', async () => {
  const tap = async (emoji) => {
    await button(phones[1], emoji).click();
    // The buttons rest a second: the server counts one a second from each phone.
    await eventually('the buttons rest', () => button(phones[1], emoji).isDisabled(), false, 3000);
  };
  assert.deepEqual(await phones[1].locator('#rx button').allTextContents(), ['👏', '❤️', '🎉']);
  // Totals that reach a projector within a second of its connecting are its baseline (the
  // server sends none on connect before the first reaction): this tap comes later.
  await sleep(projectorOpened + 1500 - Date.now());
  await projector.evaluate(() => {
    window.risen = [];
    new MutationObserver((changes) => {
      for (const change of changes) for (const node of change.addedNodes) if (node.classList?.contains('reaction')) window.risen.push(node.textContent);
    }).observe(document.getElementById('reactions'), { childList: true });
  });
  await tap('👏');
  await eventually('a rising emoji on the projector', () => projector.evaluate(() => window.risen), ['👏']);
  assert.equal(await projector.locator('#reaction-counts').isVisible(), false, 'no counts while emoji rise');
  await eventually('the presenter\'s totals', () => text(presenter, '#reaction-totals'), '👏 1  ❤️ 0  🎉 0');

  const still = await openPage(`${urls.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
  await eventually('counts on the still projector', () => text(still, '#reaction-counts'), '👏 1  ❤️ 0  🎉 0');
  await still.evaluate(() => {
    window.risen = 0;
    new MutationObserver(() => { window.risen += document.querySelectorAll('.reaction').length; })
      .observe(document.getElementById('reactions'), { childList: true });
  });
  await tap('❤️');
  await eventually('the counts go up', () => text(still, '#reaction-counts'), '👏 1  ❤️ 1  🎉 0');
  await eventually('and the other projector lets it rise', () => projector.evaluate(() => window.risen), ['👏', '❤️']);
  assert.equal(await still.evaluate(() => window.risen), 0, 'nothing rises with reduced motion');
  assert.equal(await still.locator('#reaction-counts').isVisible(), true);
  assert.deepEqual(await stageProblems(still), [], 'the still projector\'s stage');
  await shot(still, 'projector-reactions-reduced-motion-1920x1080');
  await still.context().close();
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

// ---- Injection sweep ----

// Participant text as the server keeps it (see question/text.rs): hidden characters out, NFKC,
// whitespace collapsed, ends trimmed. Only to plan what to send (what fits, what repeats): what the
// pages must show is what the server acknowledged.
const HIDDEN = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/gu;
const normalised = (s) => s.replace(HIDDEN, '').normalize('NFKC').replace(HIDDEN, '').replace(/\s+/gu, ' ').trim();
const length = (s) => [...s].length;
const cut = (s, n) => [...s].slice(0, n).join('');
const chunks = (list, n) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, (i + 1) * n));
// Splits `list` into `n` runs of nearly equal length, none empty (when list.length >= n).
const spread = (list, n) => Array.from({ length: n }, (_, i) => list.slice(Math.floor((i * list.length) / n), Math.floor(((i + 1) * list.length) / n)));
const sorted = (list) => list.slice().sort();

// Every payload of xss.test.mjs in every wrapping, and the extras; as the server takes them:
// words cut to 40 characters, posts and questions to 280 (longer ones are refused, see below).
const SWEEP = [...injectionPayloads(Infinity), ...EXTRAS];
// The most questions the room's Q&A list carries (docs/protocol.md, `qa`).
const QA_LIST = 60;

// Elements the pages never make from participant text; a payload that became markup adds one.
const FOREIGN = ['img', 'script', 'svg', 'iframe', 'object', 'embed', 'style', 'video', 'audio', 'source', 'math', 'mglyph',
  'mtext', 'form', 'meta', 'link', 'details', 'a', 'table', 'marquee', 'base', 'frame', 'frameset', 'template'];

// What payloads could have done to a page: elements of those kinds (counted), attributes that
// run script, and the flag every payload bumps.
function footprint(page) {
  return page.evaluate((tags) => {
    const attributes = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        const url = /^(href|src|action|formaction|data|content|xlink:href|poster)$/i.test(a.name) && /javascript:/i.test(a.value);
        if (/^on/i.test(a.name) || a.name === 'srcdoc' || url) attributes.push(`<${el.localName} ${a.name}="${a.value.slice(0, 40)}">`);
      }
    }
    return { xss: window.__xss, tags: Object.fromEntries(tags.map((t) => [t, document.getElementsByTagName(t).length])), attributes };
  }, FOREIGN);
}

test('injection sweep: every payload as words, posts and questions, approved, drawn as text on every screen', { timeout: 120_000 }, async () => {
  const dir = path.join(dataDir, 'sweep');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'sweep.md'), SWEEP_DECK);
  sweep = await startServer(['--bind', '127.0.0.1', '--port', '0', '--data', dir, path.join(dir, 'sweep.md')]);
  const wall = await openPage(`${sweep.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } });
  const desk = await openPage(sweep.presenter, { viewport: { width: 1280, height: 800 } });
  const phone = await openPage(sweep.participant, { viewport: { width: 320, height: 640 }, hasTouch: true, isMobile: true });
  const pages = { projector: wall, presenter: desk, phone };
  const pres = await presenterSocket(sweep);
  await eventually('the phone joined', async () => Number(await text(desk, '#participants')), 1);
  const baseline = {};
  for (const [name, page] of Object.entries(pages)) baseline[name] = await footprint(page);
  // Nothing ran, nothing was made, on any page; the projector's stage fits; the phone is 320 px wide.
  const clean = async (what) => {
    for (const [name, page] of Object.entries(pages)) {
      assert.deepEqual(await footprint(page), baseline[name], `${what}: the ${name} page`);
    }
    await settle(wall);
    assert.deepEqual(await stageProblems(wall), [], `${what}: the projector's stage`);
    assert.equal((await phoneLayout(phone)).overflow, 0, `${what}: the phone scrolls sideways`);
    assert.deepEqual(await presenterProblems(desk), [], `${what}: the presenter view`);
  };
  const goto = async (slide, prompt) => {
    pres.send({ type: 'goto', slide });
    await eventually('the slide on the projector', () => text(wall, '#stage .slide h1'), prompt);
    await eventually('the slide on the phone', () => text(phone, '#h'), slide === 3 ? 'Waiting for the next question' : prompt);
  };
  const refusals = async (question, type, field, limit) => {
    // One character too many is refused; a 10,000-character line does not even fit in a frame (4 KiB).
    const [over, huge] = await Promise.all([`sweep-${question}-over`, `sweep-${question}-huge`].map((id) => phoneSocket(sweep, id)));
    const frame = (value) => (type === 'ask' ? { type, text: value } : { type, question, answer: { [field]: field === 'words' ? [value] : value } });
    const reply = await over.request(frame('y'.repeat(limit + 1)));
    assert.deepEqual([reply.type, reply.code], ['error', 'invalid_choice'], `${limit + 1} characters`);
    huge.send(frame(LONG_WORD));
    assert.equal(await huge.closed(), 1009, 'a 10,000-character line closes the socket: too big');
  };

  // ---- Words: in batches the cloud holds at once (150), each phone replacing its words ----
  await goto(1, 'Any words?');
  await refusals('sweep-words', 'vote', 'words', 40);
  // The phone types the extras into its ten boxes (each takes 40 characters).
  const typed = EXTRAS.filter((e) => e !== LONG_LINE).slice(0, 10);
  for (const [i, extra] of typed.entries()) {
    await phone.getByLabel(`Word ${i + 1}`, { exact: true }).focus();
    await phone.keyboard.insertText(extra);
  }
  assert.ok((await phone.locator('#opts input').evaluateAll((els) => els.map((el) => el.value.length))).every((n) => n > 0 && n <= 40));
  await button(phone, 'Submit').click();
  await eventually('the phone says saved', async () => (await status(phone)).startsWith('Saved.'), true);
  const words = [];
  const seen = new Set((await phone.locator('#opts input').evaluateAll((els) => els.map((el) => el.value))).map((w) => normalised(w).toLowerCase()));
  for (const payload of SWEEP) {
    const word = cut(payload, 40);
    const key = normalised(word).toLowerCase();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    // A word that grows past 40 characters once normalised is refused: tried above.
    if (length(key) <= 40) words.push(word);
  }
  assert.ok(words.length >= 250, `only ${words.length} different words`);
  const writers = await Promise.all(Array.from({ length: 14 }, (_, i) => phoneSocket(sweep, `sweep-words-${i}`)));
  const mine = (await phone.evaluate(() => [...document.querySelectorAll('#opts input')].map((el) => el.value)));
  for (const [b, batch] of chunks(words, 140).entries()) {
    const replies = await Promise.all(spread(batch, writers.length).map((answer, i) =>
      writers[i].request({ type: 'vote', question: 'sweep-words', answer: { words: answer } })));
    const acked = replies.flatMap((reply) => ack(reply).answer.words);
    assert.ok(acked.every((w) => length(w) <= 40), 'words of at most 40 characters');
    const expected = sorted([...new Set([...mine.map(normalised), ...acked].map((w) => w.toLowerCase()))]);
    await eventually(`batch ${b + 1}: the words on the projector`, async () => sorted((await visibleTexts(wall, '#stage .cloud-word')).map((w) => w.toLowerCase())), expected);
    await eventually(`batch ${b + 1}: the words on the presenter`, async () => sorted((await desk.locator('#stage .cloud-word').allTextContents()).map((w) => w.toLowerCase())), expected);
    await clean(`words, batch ${b + 1}`);
  }
  await projectorShots(wall, 'sweep-cloud');
  // Voting closed: the phone lists the top twenty, as text.
  pres.send({ type: 'close_voting' });
  await eventually('the results on the phone', () => phone.locator('#rows .r').count(), 20);
  await clean('words, results on the phone');
  await phoneShot(phone, 'sweep-cloud');
  await checkPhone(phone, 'words, results on the phone');

  // ---- Posts: in batches the wall holds at once (60), every one approved ----
  await goto(2, 'Anything to say?');
  await refusals('sweep-posts', 'vote', 'text', 280);
  // The phone pastes the 10,000-character word: its box takes 280 characters.
  await phone.getByLabel('Your answer', { exact: true }).focus();
  await phone.keyboard.insertText(LONG_WORD);
  await eventually('the box is full', () => text(phone, '#ohint'), '0 characters left');
  await button(phone, 'Submit').click();
  await eventually('the phone says sent', () => status(phone), 'Sent. It will appear once the presenter approves it.');
  const longPost = 'W'.repeat(280);
  const posts = SWEEP.map((p) => cut(p, 280)).filter((p) => normalised(p) && length(normalised(p)) <= 280);
  const shownPosts = () => [...pres.board.values()].filter((p) => p.question === 'sweep-posts' && ['shown', 'pinned'].includes(p.state));
  const approve = async (ids, what) => {
    await pres.until(`${what}: every post on the board`, () => ids.every((id) => pres.board.get(id)?.state === 'pending'));
    for (const id of ids) pres.send({ type: 'moderate', entry: id, state: 'shown' });
    await pres.until(`${what}: every post approved`, () => ids.every((id) => pres.board.get(id).state === 'shown'));
  };
  const onBoard = (question, words) => pres.until(`«${words.slice(0, 20)}…» on the board`,
    () => [...pres.board.values()].find((p) => p.question === question && p.text === words)?.id);
  const phonePost = await onBoard('sweep-posts', longPost);
  for (const [b, batch] of chunks(posts, 60).entries()) {
    const writers = await Promise.all(chunks(batch, 10).map((_, i) => phoneSocket(sweep, `sweep-posts-${b}-${i}`)));
    const replies = await Promise.all(chunks(batch, 10).map(async (texts, i) => {
      const out = [];
      for (const words of texts) out.push(ack(await writers[i].request({ type: 'vote', question: 'sweep-posts', answer: { text: words } })));
      return out;
    }));
    const ids = replies.flat().map((reply) => reply.entry);
    assert.ok(replies.flat().every((reply) => reply.state === 'pending' && length(reply.answer.text) <= 280));
    if (b === 0) ids.unshift(phonePost);
    // The speaker's queue holds them as sent.
    await pres.until('the posts on the board', () => ids.every((id) => pres.board.has(id)));
    await eventually(`batch ${b + 1}: the queue`, async () => sorted(await desk.locator('#queue .post-text').allTextContents()),
      sorted(ids.map((id) => pres.board.get(id).text)));
    await clean(`posts, batch ${b + 1}, pending`);
    await approve(ids, `posts, batch ${b + 1}`);
    // The wall: the newest 60 shown, as the room may read them (filtered words masked).
    const newest = shownPosts().sort((x, y) => y.id - x.id).slice(0, 60).map((p) => p.masked);
    await eventually(`batch ${b + 1}: the wall`, async () => sorted(await wall.locator('#stage .wall .card-text').allTextContents()), sorted(newest));
    await clean(`posts, batch ${b + 1}, approved`);
  }
  // The phone's 280 W pinned: one unbroken word, large, wrapped inside its card.
  pres.send({ type: 'moderate', entry: phonePost, state: 'pinned' });
  await eventually('the pinned post', () => wall.locator('#stage .wall .card.pinned .card-text').allTextContents(), [longPost]);
  await clean('posts, one pinned');
  await projectorShots(wall, 'sweep-wall');

  // ---- Q&A: in batches the phones' list holds at once (60), every one approved ----
  await goto(3, 'Questions');
  await refusals('qa', 'ask', 'text', 280);
  await phone.getByLabel('Your question', { exact: true }).focus();
  await phone.keyboard.insertText(LONG_LINE);
  await button(phone, 'Send question').click();
  await eventually('the phone says sent', () => status(phone), 'Sent. It will appear once the presenter approves it.');
  const longQuestion = normalised(cut(LONG_LINE, 280));
  const asks = SWEEP.map((p) => cut(p, 280)).filter((p) => normalised(p) && length(normalised(p)) <= 280);
  const shownQuestions = () => [...pres.board.values()].filter((p) => p.question === 'qa' && p.state === 'shown');
  const phoneList = async () => sorted(await phone.locator('#qal .t').allTextContents());
  const phoneQuestion = await onBoard('qa', longQuestion);
  for (const [b, batch] of chunks(asks, QA_LIST).entries()) {
    const askers = await Promise.all(chunks(batch, 10).map((_, i) => phoneSocket(sweep, `sweep-asks-${b}-${i}`)));
    const replies = await Promise.all(chunks(batch, 10).map(async (texts, i) => {
      const out = [];
      for (const words of texts) out.push(ack(await askers[i].request({ type: 'ask', text: words })));
      return out;
    }));
    const ids = replies.flat().map((reply) => reply.entry);
    await pres.until('the questions on the board', () => ids.every((id) => pres.board.has(id)));
    if (b === 0) ids.unshift(phoneQuestion);
    await eventually(`batch ${b + 1}: the queue`, async () => sorted(await desk.locator('#queue .post-text').allTextContents()),
      sorted(ids.map((id) => pres.board.get(id).text)));
    await clean(`questions, batch ${b + 1}, pending`);
    await approve(ids, `questions, batch ${b + 1}`);
    // The phone lists the newest (nothing is upvoted yet); the projector the ones that fit.
    const newest = shownQuestions().sort((x, y) => y.id - x.id).slice(0, QA_LIST).map((p) => p.masked);
    await eventually(`batch ${b + 1}: the phone's list`, phoneList, sorted(newest));
    const rows = await visibleTexts(wall, '#stage .qa-row .qa-text');
    assert.ok(rows.length >= 3 && rows.every((r) => newest.includes(r)), `batch ${b + 1}: the projector's rows ${JSON.stringify(rows)}`);
    await clean(`questions, batch ${b + 1}, approved`);
  }
  // The extras upvoted to the top of the projector; the phone's long line highlighted above them.
  const extras = EXTRAS.map((e) => normalised(cut(e, 280)));
  const extraIds = shownQuestions().filter((p) => extras.includes(p.text)).map((p) => p.id);
  // (Some are asked twice: the phone's long line, and a bidi override around a payload that is a payload once removed.)
  assert.deepEqual(new Set(shownQuestions().filter((p) => extraIds.includes(p.id)).map((p) => p.text)), new Set(extras), 'every extra was asked');
  const voters = await Promise.all([0, 1, 2].map((i) => phoneSocket(sweep, `sweep-voter-${i}`)));
  for (const voter of voters) for (const id of extraIds) ack(await voter.request({ type: 'upvote', entry: id, on: true }));
  pres.send({ type: 'highlight', entry: phoneQuestion });
  await eventually('the highlighted question', () => text(wall, '#stage .qa-now-text'), longQuestion);
  await eventually('the extras at the top of the board', async () => (await wall.locator('#stage .qa-row').evaluateAll((rows) =>
    rows.filter((row) => row.checkVisibility()).map((row) => row.querySelector('.qa-count').textContent))).every((n, i, all) => all.length >= 2 && n === '3'), true);
  await clean('questions, upvoted and highlighted');
  await projectorShots(wall, 'sweep-qa');
  await phone.locator('#qal').scrollIntoViewIfNeeded();
  await shot(phone, 'phone-sweep-qa-320');
  // The speaker's shown posts: the newest 200 of every kind, with their buttons.
  await desk.locator('#moderation-filters [data-filter=shown]').click();
  await eventually('the shown posts in the queue', () => desk.locator('#queue li.post').count(), 200);
  await clean('the presenter\'s shown posts');
  await shot(desk, 'presenter-sweep-1280x800');

  for (const [name, page] of Object.entries(pages)) assert.equal(await page.evaluate(() => window.__xss), 0, `a payload ran on the ${name} page`);
  assert.deepEqual(dialogs, [], 'a dialog opened');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
