// The deck editor in a real browser against `handsup serve` on a copy of a hand-written
// deck: a question added through the form lands in the file with every other slide
// untouched, invalid forms save nothing, and changing a question that has answers
// asks first. A second deck, with a quiz and a leaderboard, covers the quiz form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TIMEOUT, eventually, launchChromium, pagesFromDisk, repo, shots, sleep, startOnDeck, cleanUp } from './lib.mjs';

// The editor's English (ui/lang/en.js), loaded from its text as the page loads it.
const EN = (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(
  fs.readFileSync(path.join(repo, 'ui', 'lang', 'en.js'), 'utf8'))}`)).default;

// What the editor shows for a problem the server's check found: the English line for its code
// (`problem.<code>`, a count's form chosen by `n`) when it has one, else the server's sentence
// with a capital; `code` in backquotes shows without them.
function shownProblem(problem) {
  const line = problem.code && EN[`problem.${problem.code}`];
  let said;
  if (line) {
    const vars = problem.vars || {};
    const form = typeof line === 'string' ? line : line[new Intl.PluralRules('en').select(Number(vars.n))] ?? line.other;
    said = form.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
  } else {
    said = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
  }
  return said.split('`').length % 2 ? said.replaceAll('`', '') : said;
}

// Written the way people write by hand: extra front matter keys, `*` and `1.` lists,
// doubled blank lines, a notes comment over several lines, no blank line after `---`.
const DECK = `---
title: Editor test deck
marp: true
theme: gaia
paginate: true
---

# Welcome

*   A star bullet
*   Another one


Some text with **bold** and \`code\`.

<!--
Wait for the room.
Then say hello.
-->

---

<!-- question: single -->
# Coffee or tea?

* Coffee
* Tea

Pick the one you had this morning.

---
# Odd spacing


1. numbered
2. list

<!-- just a note -->

---

# The end
`;

// A quiz whose right answer is ticked on the wrong option, and the two scores slides.
const QUIZ_DECK = `---
title: Quiz night
---

# Welcome to the quiz

---

<!-- question: quiz -->
# Capital of Australia?

- [x] Sydney
- [ ] Canberra
- [ ] Melbourne

---

# Standings

<!-- leaderboard -->

---

# The winners

<!-- podium -->
`;

let server;
let serverExit;
let dataDir;
let deckFile;
let browser;
let urls;
let presenter;
let editor;
const pageErrors = [];
// The server on QUIZ_DECK: { child, exited, presenter, dataDir, deckFile }, and its editor page.
let quiz;
let quizEditor;

const text = (page, selector) => page.locator(selector).first().textContent({ timeout: TIMEOUT }).then((t) => (t ?? '').trim());

// The file cut the way the deck format cuts it: front matter, then the text between
// `---` lines, each kept with its own blank lines.
function cut(source) {
  const lines = source.split(/(?<=\n)/);
  let start = 0;
  if (lines[0] && lines[0].trimEnd() === '---') {
    const close = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
    start = close + 1;
  }
  const front = lines.slice(0, start).join('');
  const slides = [''];
  for (const line of lines.slice(start)) {
    if (line.trimEnd() === '---') slides.push('');
    else slides[slides.length - 1] += line;
  }
  return { front, slides };
}

function api(pathname, presenterUrl = urls.presenter) {
  const url = new URL(presenterUrl);
  url.pathname = pathname;
  return url.toString();
}

// A save restarts the server on the same port: a moment without an answer is expected.
async function readDeck() {
  const end = Date.now() + TIMEOUT;
  for (;;) {
    try {
      const response = await fetch(api('/api/deck'));
      assert.equal(response.status, 200, `GET /api/deck: ${response.status}`);
      return await response.json();
    } catch (err) {
      if (err instanceof assert.AssertionError || Date.now() > end) throw err;
      await sleep(100);
    }
  }
}

async function openPage(url, contextOptions) {
  const context = await browser.newContext(contextOptions);
  await pagesFromDisk(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  page.on('console', (msg) => {
    // Refused saves and previews are answered with 4xx on purpose; the page shows them in words.
    // Saving restarts the server, so pages may find it away for a moment.
    const expected = /status of 4\d\d|ERR_CONNECTION_REFUSED/.test(msg.text());
    if (msg.type() === 'error' && !expected) console.log(`[browser console] ${msg.text()}`);
  });
  await page.goto(url);
  return page;
}

const slideCount = async (page) => {
  const match = /\/\s*(\d+)/.exec(await text(page, '#slide-number'));
  return match ? Number(match[1]) : null;
};

before(async () => {
  const started = await startOnDeck('talk', DECK);
  ({ dataDir, deckFile } = started);
  server = started.child;
  serverExit = started.exited;
  urls = { participant: started.participant, presenter: started.presenter };
  quiz = await startOnDeck('quiz', QUIZ_DECK);
  browser = await launchChromium();
});

after(async () => {
  await cleanUp({ browser, server, exited: serverExit, dataDir });
  await cleanUp({ server: quiz?.child, exited: quiz?.exited, dataDir: quiz?.dataDir });
});

test('a question added through the form is saved, and every other slide stays byte for byte', async () => {
  presenter = await openPage(urls.presenter, { viewport: { width: 1280, height: 720 } });
  await eventually('slides on the presenter', () => slideCount(presenter), 4);

  editor = await openPage(api('/editor'), { viewport: { width: 1280, height: 720 } });
  await eventually('slides in the editor', () => editor.locator('#slides li').count(), 4);
  assert.equal(await editor.getByLabel('Deck title').inputValue(), 'Editor test deck');
  assert.equal(await editor.getByLabel('Title', { exact: true }).inputValue(), 'Welcome');

  await editor.getByRole('button', { name: 'Add question', exact: true }).click();
  await editor.getByLabel('Question', { exact: true }).fill('Which editor do you use?');
  await editor.getByRole('textbox', { name: 'Option A', exact: true }).fill('Vim');
  await editor.getByRole('textbox', { name: 'Option B', exact: true }).fill('Emacs');
  await editor.getByRole('button', { name: 'Add option', exact: true }).click();
  await editor.getByRole('textbox', { name: 'Option C', exact: true }).fill('Something else');
  await eventually('letters under the preview', () => editor.locator('#phone-options li').allTextContents(),
    ['AVim', 'BEmacs', 'CSomething else']);
  await eventually('the preview shows the question',
    async () => (await text(editor, '#preview h1')) === 'Which editor do you use?', true);
  assert.equal(await editor.locator('#dirty').isVisible(), true, 'the page says there are unsaved changes');

  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  await eventually('save status', () => text(editor, '#status'), `Saved to ${deckFile}`);
  await eventually('the editor reloaded the saved deck', () => editor.locator('#slides li').count(), 5);
  await eventually('nothing left unsaved', () => editor.locator('#dirty').isVisible(), false);

  const saved = fs.readFileSync(deckFile, 'utf8');
  const before = cut(DECK);
  const now = cut(saved);
  assert.equal(now.front, before.front, 'the front matter, extra keys and all, is unchanged');
  assert.equal(now.slides.length, 5);
  const added = now.slides[1];
  assert.match(added, /<!-- question: single -->\s*\n# Which editor do you use\?\n\n- Vim\n- Emacs\n- Something else\n/,
    `the new question is written as Markdown:\n${saved}`);
  assert.deepEqual(now.slides.filter((_, i) => i !== 1), before.slides, 'the untouched slides are byte for byte the same');

  const deck = await readDeck();
  assert.equal(deck.path, deckFile);
  assert.equal(deck.slides.length, 5);
  assert.deepEqual(deck.slides.map((s) => s.original), [0, 1, 2, 3, 4], 'indices follow the new file');
  assert.deepEqual(deck.slides[1].options, ['Vim', 'Emacs', 'Something else']);

  await eventually('slides on the presenter after the save', () => slideCount(presenter), 5, 20_000);

  fs.mkdirSync(shots, { recursive: true });
  await editor.getByRole('button', { name: /Which editor do you use\?/ }).click();
  await eventually('the preview of the new question',
    async () => (await text(editor, '#preview h1')) === 'Which editor do you use?', true);
  await editor.screenshot({ path: path.join(shots, 'editor-1280.png') });
  await editor.setViewportSize({ width: 1920, height: 1080 });
  await editor.waitForTimeout(300);
  await editor.screenshot({ path: path.join(shots, 'editor-1920.png') });
  await editor.setViewportSize({ width: 1280, height: 720 });
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a question with one option shows what is wrong and saves nothing', async () => {
  const before = fs.readFileSync(deckFile);
  const puts = [];
  const watch = (request) => { if (request.method() === 'PUT') puts.push(request.url()); };
  editor.on('request', watch);

  await editor.getByRole('button', { name: 'Add question', exact: true }).click();
  await editor.getByLabel('Question', { exact: true }).fill('Only one?');
  await editor.getByRole('textbox', { name: 'Option A', exact: true }).fill('Lonely');
  await editor.getByRole('button', { name: 'Remove option B', exact: true }).click();
  // The problem is the server's: the editor has no copy of the rules. Said from its code
  // (problem.list.too_short), or as the server words it when it sends none.
  const needsTwo = /^This question needs at least (?:2 entries\.|two options)/;
  await eventually('inline message', async () => needsTwo.test(await text(editor, '#options-error')), true);
  await editor.keyboard.press('Control+s');
  await eventually('save refused in words',
    async () => /^Not saved\. Slide \d+: This question needs at least (?:2 entries\.|two options)/.test(await text(editor, '#status')), true);
  const item = editor.locator('#slides li').filter({ hasText: 'Only one?' });
  assert.equal(await item.getByText('Needs attention').isVisible(), true, 'the slide is marked in the list');
  await editor.waitForTimeout(500);
  editor.off('request', watch);
  assert.deepEqual(puts, [], 'nothing was sent to the server');
  assert.ok(fs.readFileSync(deckFile).equals(before), 'the file is unchanged');

  // Leave the deck as saved, through the form: delete asks first.
  await editor.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = editor.getByRole('dialog');
  await eventually('delete asks first', async () => /^Delete slide \d+\?$/.test(await dialog.getByRole('heading').textContent()), true);
  await dialog.getByRole('button', { name: 'Delete slide', exact: true }).click();
  await eventually('slides after the delete', () => editor.locator('#slides li').count(), 5);
  await eventually('nothing left unsaved', () => editor.locator('#dirty').isVisible(), false);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('changing a question that has answers asks first, then discards them', async () => {
  // Reaching the question opens voting; one phone answers.
  const index = (await readDeck()).slides.findIndex((s) => s.title === 'Coffee or tea?');
  assert.ok(index > 0, 'the deck still has the hand-written question');
  await presenter.bringToFront();
  for (let i = 0; i < index; i++) await presenter.keyboard.press('ArrowRight');
  await eventually('presenter on the question', () => text(presenter, '#slide-number'), `${index + 1} / 5`);
  const phone = await openPage(urls.participant, { viewport: { width: 390, height: 844 }, hasTouch: true });
  await phone.getByRole('button', { name: 'Tea', exact: true }).click();
  await eventually('phone status after a vote', async () => (await text(phone, '#status')).startsWith('Saved'), true);
  const id = (await readDeck()).slides[index].id;
  await eventually('the server counts the answer', async () => (await readDeck()).slides[index].answers, 1);

  const before = cut(fs.readFileSync(deckFile, 'utf8'));
  await editor.reload();
  await eventually('slides in the editor', () => editor.locator('#slides li').count(), 5);
  const item = editor.getByRole('button', { name: /Coffee or tea\?/ });
  await eventually('answers shown in the list', async () => (await item.textContent()).includes('1 answer in this session'), true);
  await item.click();
  await eventually('answers shown on the form', () => text(editor, '#answers-note'), '1 answer in this session');
  assert.equal(await editor.locator('#kind-warning').isVisible(), false, 'no warning before a change');

  await editor.getByRole('textbox', { name: 'Option B', exact: true }).fill('Green tea');
  await eventually('warning after the change', () => text(editor, '#kind-warning'), 'Saving will discard 1 answer to this question.');

  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  const dialog = editor.getByRole('dialog');
  await eventually('the server asks for confirmation', () => dialog.locator('li').allTextContents(),
    ['Discard 1 answer to ‘Coffee or tea?’']);
  assert.ok(cut(fs.readFileSync(deckFile, 'utf8')).slides[index].includes('* Tea'), 'nothing written before the answer');
  await dialog.getByRole('button', { name: 'Discard answers and save', exact: true }).click();
  await eventually('save status', () => text(editor, '#status'), `Saved to ${deckFile}`);

  const now = cut(fs.readFileSync(deckFile, 'utf8'));
  assert.match(now.slides[index], /- Coffee\n- Green tea\n/, 'the changed options are in the file');
  assert.deepEqual(now.slides.filter((_, i) => i !== index), before.slides.filter((_, i) => i !== index),
    'the other slides are byte for byte the same');
  const question = (await readDeck()).slides[index];
  assert.equal(question.id, id, 'the question keeps its id');
  assert.equal(question.answers, 0, 'its answers are gone');
  await eventually('no answers shown any more', () => editor.locator('#answers-note').isVisible(), false);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a question of each new kind is made through the form, with the settings the server describes', async () => {
  const kinds = await (await fetch(api('/api/kinds'))).json();
  // The field labels are the server's: the editor has no list of kinds or settings of its own.
  const label = (kind, name) => {
    const info = kinds.find((k) => k.kind === kind);
    const setting = [...info.settings, ...(info.common || [])].find((s) => s.name === name);
    assert.ok(setting, `the server describes ${kind} setting ${name}`);
    return setting.label;
  };
  const setting = async (kind, name) => {
    const field = editor.getByLabel(label(kind, name), { exact: true });
    assert.equal(await field.getAttribute('id'), `setting-${name}`, `the field labelled “${label(kind, name)}”`);
    return field;
  };
  const slidesBefore = (await readDeck()).slides.length;
  const fileBefore = fs.readFileSync(deckFile, 'utf8');
  await editor.bringToFront();

  const add = async (kind, title, options) => {
    await editor.getByRole('button', { name: 'Add question', exact: true }).click();
    await editor.getByLabel('Kind of question', { exact: true }).selectOption(kind);
    await editor.getByLabel('Question', { exact: true }).fill(title);
    for (const [i, text] of options.entries()) {
      if (!(await editor.locator(`#option-${i}`).count())) await editor.locator('#add-option').click();
      await editor.locator(`#option-${i}`).fill(text);
    }
    if (kind === 'number') assert.equal(await editor.locator('#options-field').isVisible(), false, 'a number question takes no list');
  };

  await add('scale', 'How clear was the talk?', ['Content', 'Delivery']);
  assert.equal(await text(editor, '#options-legend'), 'Statements');
  await (await setting('scale', 'max')).fill('7');
  await (await setting('scale', 'labels')).fill('Unclear|Very clear');

  await add('number', 'How many bones?', []);
  await (await setting('number', 'min')).fill('0');
  await (await setting('number', 'max')).fill('1000');
  await (await setting('number', 'answer')).fill('206');
  await (await setting('number', 'time')).fill('30');

  await add('ranking', 'Rank the colours', ['Red', 'Green', 'Blue']);
  await (await setting('ranking', 'results')).check();

  await add('points', 'Where should the points go?', ['Speed', 'Docs']);
  await (await setting('points', 'total')).fill('50');

  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  await eventually('save status', () => text(editor, '#status'), `Saved to ${deckFile}`);
  await eventually('nothing left unsaved', () => editor.locator('#dirty').isVisible(), false);

  const saved = fs.readFileSync(deckFile, 'utf8');
  for (const block of [
    '<!-- question: scale max=7 labels="Unclear|Very clear" -->\n# How clear was the talk?\n\n- Content\n- Delivery\n',
    '<!-- question: number min=0 max=1000 answer=206 time=30 -->\n# How many bones?\n',
    '<!-- question: ranking results=phones -->\n# Rank the colours\n\n- Red\n- Green\n- Blue\n',
    '<!-- question: points total=50 -->\n# Where should the points go?\n\n- Speed\n- Docs\n',
  ]) {
    assert.ok(saved.includes(block), `the file holds\n${block}\nbut is:\n${saved}`);
  }
  assert.deepEqual(cut(saved).slides.filter((s) => !/question: (scale|number|ranking|points)/.test(s)), cut(fileBefore).slides,
    'the other slides are byte for byte the same');

  const deck = await readDeck();
  assert.equal(deck.slides.length, slidesBefore + 4);
  const find = (title) => deck.slides.findIndex((s) => s.title === title);
  const summary = (title) => {
    const s = deck.slides[find(title)];
    return s && { kind: s.kind, options: s.options, settings: s.settings };
  };
  assert.deepEqual(summary('How clear was the talk?'),
    { kind: 'scale', options: ['Content', 'Delivery'], settings: { max: '7', labels: 'Unclear|Very clear' } });
  assert.deepEqual(summary('How many bones?'),
    { kind: 'number', options: [], settings: { min: '0', max: '1000', answer: '206', time: '30' } });
  assert.deepEqual(summary('Rank the colours'), { kind: 'ranking', options: ['Red', 'Green', 'Blue'], settings: { results: 'phones' } });
  assert.deepEqual(summary('Where should the points go?'), { kind: 'points', options: ['Speed', 'Docs'], settings: { total: '50' } });

  // The presenter reloads the saved deck and draws each new slide with its kind's results view.
  await presenter.bringToFront();
  await eventually('slides on the presenter after the save', () => slideCount(presenter), slidesBefore + 4, 20_000);
  const visit = async (title, check) => {
    const index = find(title);
    await presenter.keyboard.press('Home');
    for (let i = 0; i < index; i++) await presenter.keyboard.press('ArrowRight');
    await eventually(`presenter on “${title}”`, () => text(presenter, '#slide-number'), `${index + 1} / ${slidesBefore + 4}`);
    assert.equal(await text(presenter, '#slide h1'), title);
    await eventually(`the results view of “${title}”`, check, true);
  };
  const texts = (selector) => presenter.locator(selector).allTextContents();
  await visit('How clear was the talk?', async () => JSON.stringify([await presenter.locator('#bars').getAttribute('data-kind'),
    // Two statements: each row has the points under its own baseline; the end labels are under the last row.
    await texts('#bars .scale-row .label'), await texts('#bars .scale-row[data-row="0"] .tick'), await texts('#bars .scale-foot .end')])
    === JSON.stringify(['scale', ['Content', 'Delivery'], ['1', '2', '3', '4', '5', '6', '7'], ['Unclear', 'Very clear']]));
  await visit('How many bones?', async () => JSON.stringify([await presenter.locator('#bars').getAttribute('data-kind'),
    await texts('#bars .answer-fig .fig-value')]) === JSON.stringify(['number', ['206']]));
  await visit('Rank the colours', async () => JSON.stringify([await presenter.locator('#bars').getAttribute('data-kind'),
    await texts('#bars li .label')]) === JSON.stringify(['ranking', ['Red', 'Green', 'Blue']]));
  await visit('Where should the points go?', async () => JSON.stringify([await presenter.locator('#bars').getAttribute('data-kind'),
    await texts('#bars li .label')]) === JSON.stringify(['points', ['Speed', 'Docs']]));
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a setting out of range shows the server’s problem beside that field and saves nothing', async () => {
  await editor.bringToFront();
  await editor.reload();
  await eventually('the editor loaded the deck', async () => (await editor.locator('#slides li').count()) > 0, true);
  const before = fs.readFileSync(deckFile);
  const puts = [];
  const watch = (request) => { if (request.method() === 'PUT') puts.push(request.url()); };
  editor.on('request', watch);

  await editor.getByRole('button', { name: 'Add question', exact: true }).click();
  await editor.getByLabel('Kind of question', { exact: true }).selectOption('scale');
  await editor.getByLabel('Question', { exact: true }).fill('Too wide?');
  // No statements: the prompt is the one row.
  await editor.getByRole('button', { name: 'Remove statement B', exact: true }).click();
  await editor.getByRole('button', { name: 'Remove statement A', exact: true }).click();
  const max = editor.locator('#setting-max');
  await max.fill('30');

  // What the server says about this form is what the page must show, word for word.
  const problems = await editor.evaluate(async () => {
    const token = new URLSearchParams(location.search).get('token');
    const form = { original: null, kind: 'scale', title: 'Too wide?', text: '', notes: '', options: [], settings: { max: '30' }, id: null, answers: 0 };
    const response = await fetch(`/api/check?token=${token}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'Editor test deck', slides: [form] }),
    });
    return (await response.json()).problems;
  });
  assert.deepEqual(problems.map((p) => p.field), ['settings.max'], `the server finds one problem: ${JSON.stringify(problems)}`);
  // The editor says it from its code, or starts the server's sentence with a capital; either way
  // it shows `code` without its backticks.
  const shown = shownProblem(problems[0]);
  await eventually('the problem beside the field', () => text(editor, '#setting-max-error'), shown);
  assert.equal(await max.getAttribute('aria-invalid'), 'true');
  assert.match(await max.getAttribute('aria-describedby'), /\bsetting-max-error\b/, 'the message is tied to the field');

  await editor.keyboard.press('Control+s');
  await eventually('save refused in words', async () => {
    const status = await text(editor, '#status');
    return /^Not saved\. Slide \d+: /.test(status) && status.endsWith(shown);
  }, true);
  await editor.waitForTimeout(500);
  editor.off('request', watch);
  assert.deepEqual(puts, [], 'nothing was sent to be saved');
  assert.ok(fs.readFileSync(deckFile).equals(before), 'the file is unchanged');

  // A value in range clears the message.
  await max.fill('10');
  await eventually('the problem is gone', () => editor.locator('#setting-max-error').isVisible(), false);
  assert.equal(await max.getAttribute('aria-invalid'), 'false');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a word cloud and an open question are made through the form, and written as people write them', async () => {
  const kinds = await (await fetch(api('/api/kinds'))).json();
  const label = (kind, name) => {
    const info = kinds.find((k) => k.kind === kind);
    return [...info.settings, ...(info.common || [])].find((s) => s.name === name).label;
  };
  const setting = (kind, name) => editor.getByLabel(label(kind, name), { exact: true });
  await editor.bringToFront();
  const add = async (kind, title) => {
    await editor.getByRole('button', { name: 'Add question', exact: true }).click();
    await editor.getByLabel('Kind of question', { exact: true }).selectOption(kind);
    await editor.getByLabel('Question', { exact: true }).fill(title);
    assert.equal(await editor.locator('#options-field').isVisible(), false, `a ${kind} question takes no list`);
  };
  await add('wordcloud', 'Three words for today?');
  await setting('wordcloud', 'max').fill('3');
  await sleep(400);
  await editor.screenshot({ path: path.join(shots, 'editor-wordcloud-1280.png') });
  await add('open', 'What should we change?');
  await setting('open', 'max').fill('2');
  await setting('open', 'moderate').check();
  await sleep(400);
  await editor.screenshot({ path: path.join(shots, 'editor-open-1280.png') });
  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  await eventually('save status', () => text(editor, '#status'), `Saved to ${deckFile}`);
  const saved = fs.readFileSync(deckFile, 'utf8');
  for (const block of [
    '<!-- question: wordcloud max=3 -->\n# Three words for today?\n',
    '<!-- question: open max=2 moderate -->\n# What should we change?\n',
  ]) {
    assert.ok(saved.includes(block), `the file holds\n${block}\nbut is:\n${saved}`);
  }
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

// ---- Quizzes, on the quiz deck ----------------------------------------------------------

const quizApi = (pathname) => api(pathname, quiz.presenter);

// The label the server gives a kind's setting, as the form shows it.
async function settingField(page, kind, name) {
  const kinds = await (await fetch(quizApi('/api/kinds'))).json();
  const info = kinds.find((k) => k.kind === kind);
  const setting = [...info.settings, ...(info.common || [])].find((s) => s.name === name);
  assert.ok(setting, `the server describes ${kind} setting ${name}`);
  const field = page.getByLabel(setting.label, { exact: true });
  assert.equal(await field.getAttribute('id'), `setting-${name}`, `the field labelled “${setting.label}”`);
  return field;
}

// The "Correct" checkbox beside option `letter`, named "Correct: option B" (earlier builds of the
// page said "Correct : option B"), and every row as [ticked, text shown].
const correct = (page, letter) => page.getByRole('checkbox', { name: new RegExp(`^Correct ?: option ${letter}$`) });
const quizRows = (page) => page.locator('#options li').evaluateAll((rows) => rows.map((row) =>
  [row.querySelector('input[type="checkbox"]').checked, row.querySelector('input[type="text"]').value]));

async function addQuestion(page, kind, title) {
  await page.getByRole('button', { name: 'Add question', exact: true }).click();
  await page.getByLabel('Kind of question', { exact: true }).selectOption(kind);
  await page.getByLabel('Question', { exact: true }).fill(title);
}

async function saveQuizDeck(page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await eventually('save status', () => text(page, '#status'), `Saved to ${quiz.deckFile}`);
  await eventually('nothing left unsaved', () => page.locator('#dirty').isVisible(), false);
  return fs.readFileSync(quiz.deckFile, 'utf8');
}

const includes = (saved, block) => assert.ok(saved.includes(block), `the file holds\n${block}\nbut is:\n${saved}`);

test('a quiz and a typed-answer quiz are made through the form, with the ticked option, points and timer', async () => {
  quizEditor = await openPage(quizApi('/editor'), { viewport: { width: 1280, height: 720 } });
  const page = quizEditor;
  await eventually('slides in the editor', () => page.locator('#slides li').count(), 4);
  const fileBefore = fs.readFileSync(quiz.deckFile, 'utf8');

  await addQuestion(page, 'quiz', 'Which planet is the largest?');
  await page.getByRole('textbox', { name: 'Option A', exact: true }).fill('Mars');
  await page.getByRole('textbox', { name: 'Option B', exact: true }).fill('Jupiter');
  await page.getByRole('button', { name: 'Add option', exact: true }).click();
  await page.getByRole('textbox', { name: 'Option C', exact: true }).fill('Venus');
  assert.deepEqual(await quizRows(page), [[false, 'Mars'], [false, 'Jupiter'], [false, 'Venus']], 'a new quiz has nothing ticked');
  await correct(page, 'B').check();
  await (await settingField(page, 'quiz', 'time')).fill('15');
  await (await settingField(page, 'quiz', 'points')).fill('500');
  assert.deepEqual(await quizRows(page), [[false, 'Mars'], [true, 'Jupiter'], [false, 'Venus']],
    'the tick is beside the option, and the text box holds the text alone');
  await eventually('the preview shows the quiz',
    async () => (await text(page, '#preview h1')) === 'Which planet is the largest?', true);
  await eventually('no problem shown', () => page.locator('#options-error, #slide-error').evaluateAll(
    (slots) => slots.every((slot) => slot.hidden)), true);
  fs.mkdirSync(shots, { recursive: true });
  await sleep(400);
  await page.screenshot({ path: path.join(shots, 'editor-quiz.png') });

  await addQuestion(page, 'quiz-text', 'What is the capital of France?');
  assert.equal(await page.locator('#options-field').isVisible(), false, 'a typed-answer quiz takes no list');
  await (await settingField(page, 'quiz-text', 'answer')).fill('Paris|Paris, France');

  const saved = await saveQuizDeck(page);
  includes(saved, '<!-- question: quiz points=500 time=15 -->\n# Which planet is the largest?\n\n- [ ] Mars\n- [x] Jupiter\n- [ ] Venus\n');
  includes(saved, '<!-- question: quiz-text answer="Paris|Paris, France" -->\n# What is the capital of France?\n');
  assert.deepEqual(cut(saved).slides.filter((s) => !/question: quiz(-text)? (points|answer)=/.test(s)), cut(fileBefore).slides,
    'the other slides are byte for byte the same');

  const deck = await (await fetch(quizApi('/api/deck'))).json();
  const summary = (title) => {
    const s = deck.slides.find((slide) => slide.title === title);
    return s && { kind: s.kind, options: s.options, settings: s.settings };
  };
  assert.deepEqual(summary('Which planet is the largest?'),
    { kind: 'quiz', options: ['[ ] Mars', '[x] Jupiter', '[ ] Venus'], settings: { points: '500', time: '15' } });
  assert.deepEqual(summary('What is the capital of France?'),
    { kind: 'quiz-text', options: [], settings: { answer: 'Paris|Paris, France' } });
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a quiz from the deck opens with its tick on the marked option, and a moved tick is saved', async () => {
  const page = quizEditor;
  const fileBefore = fs.readFileSync(quiz.deckFile, 'utf8');
  const index = cut(fileBefore).slides.findIndex((s) => s.includes('# Capital of Australia?'));
  await page.getByRole('button', { name: /Capital of Australia\?/ }).click();
  await eventually('the quiz in the form', () => page.getByLabel('Question', { exact: true }).inputValue(), 'Capital of Australia?');
  assert.equal(await page.getByLabel('Kind of question', { exact: true }).inputValue(), 'quiz');
  assert.deepEqual(await quizRows(page), [[true, 'Sydney'], [false, 'Canberra'], [false, 'Melbourne']],
    'the first option is ticked, and no box shows a mark');
  assert.equal(await page.locator('#dirty').isVisible(), false, 'opening a quiz changes nothing');

  await correct(page, 'A').uncheck();
  await correct(page, 'B').check();
  assert.deepEqual(await quizRows(page), [[false, 'Sydney'], [true, 'Canberra'], [false, 'Melbourne']]);
  await eventually('the page says there are unsaved changes', () => page.locator('#dirty').isVisible(), true);

  const saved = await saveQuizDeck(page);
  const now = cut(saved);
  assert.equal(now.slides[index], '\n<!-- question: quiz -->\n# Capital of Australia?\n\n- [ ] Sydney\n- [x] Canberra\n- [ ] Melbourne\n\n',
    `the tick moved in the file:\n${saved}`);
  assert.deepEqual(now.slides.filter((_, i) => i !== index), cut(fileBefore).slides.filter((_, i) => i !== index),
    'the other slides are byte for byte the same');

  // The reloaded deck shows the tick where it was moved.
  await page.getByRole('button', { name: /Capital of Australia\?/ }).click();
  await eventually('the saved tick in the form', () => quizRows(page), [[false, 'Sydney'], [true, 'Canberra'], [false, 'Melbourne']]);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a leaderboard slide keeps its <!-- leaderboard --> when its title is edited', async () => {
  const page = quizEditor;
  const fileBefore = fs.readFileSync(quiz.deckFile, 'utf8');
  const index = cut(fileBefore).slides.findIndex((s) => s.includes('<!-- leaderboard -->'));
  assert.ok(index > 0, 'the deck has its leaderboard slide');
  await page.getByRole('button', { name: /Standings$/ }).click();
  const title = page.getByLabel('Title', { exact: true });
  await eventually('the leaderboard slide in the form', () => title.inputValue(), 'Standings');
  await title.fill('Standings after round one');

  const saved = await saveQuizDeck(page);
  const now = cut(saved);
  assert.match(now.slides[index], /^\s*# Standings after round one\n\n<!-- leaderboard -->\n/, `the slide in the file:\n${saved}`);
  assert.deepEqual(now.slides.filter((_, i) => i !== index), cut(fileBefore).slides.filter((_, i) => i !== index),
    'the other slides, the podium among them, are byte for byte the same');
  const deck = await (await fetch(quizApi('/api/deck'))).json();
  assert.deepEqual(deck.slides.map((s) => s.scores).filter(Boolean), ['leaderboard', 'podium'], 'both scores slides read back');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('a quiz with no option ticked shows the server’s problem beside the options and saves nothing', async () => {
  const page = quizEditor;
  const before = fs.readFileSync(quiz.deckFile);
  const slides = await page.locator('#slides li').count();
  const puts = [];
  const watch = (request) => { if (request.method() === 'PUT') puts.push(request.url()); };
  page.on('request', watch);

  await addQuestion(page, 'quiz', 'Nothing ticked?');
  await page.getByRole('textbox', { name: 'Option A', exact: true }).fill('This');
  await page.getByRole('textbox', { name: 'Option B', exact: true }).fill('That');
  await eventually('the problem beside the options',
    async () => /correct option marked/.test(await text(page, '#options-error')), true);
  assert.equal(await page.locator('#options-error').isVisible(), true);
  assert.equal(await page.locator('#slide-error').isVisible(), false, 'the problem is shown once, by the options');

  await page.keyboard.press('Control+s');
  await eventually('save refused in words', async () =>
    /^Not saved\. Slide \d+: A quiz needs its correct option marked/.test(await text(page, '#status')), true);
  await eventually('the cursor on the first tick box', () => page.evaluate(() => document.activeElement?.id), 'option-0-correct');
  const item = page.locator('#slides li').filter({ hasText: 'Nothing ticked?' });
  assert.equal(await item.getByText('Needs attention').isVisible(), true, 'the slide is marked in the list');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(shots, 'editor-quiz-unticked.png') });
  page.off('request', watch);
  assert.deepEqual(puts, [], 'nothing was sent to be saved');
  assert.ok(fs.readFileSync(quiz.deckFile).equals(before), 'the file is unchanged');

  // A tick clears it.
  await correct(page, 'A').check();
  await eventually('the problem is gone', () => page.locator('#options-error').isVisible(), false);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete slide', exact: true }).click();
  await eventually('slides after the delete', () => page.locator('#slides li').count(), slides);
  await eventually('nothing left unsaved', () => page.locator('#dirty').isVisible(), false);
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
