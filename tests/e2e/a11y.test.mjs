// WCAG 2.2 AA on the speaker's pages, checked by axe-core in Chromium against `handsup serve`.
// Three socket phones answer every question kind while the presenter view and the projector are
// checked before voting, with voting open and results showing, with results hidden, with voting
// closed and with the answer revealed; then the Q&A with questions waiting and one highlighted,
// the leaderboard and podium, a black screen, the rename dialog and the blocked words. The deck
// editor is checked on every slide and with its dialog open, the Sessions window with its
// confirmation, a past session shown again and the on-screen report. The pages keep their light
// theme whatever the system asks for: one state of each is checked with a dark scheme asked for.
//
// Besides axe: a results row reads as words ("A On foot 2 answers, 67%"), every option carries
// its letter beside its colour (and the right answer a tick and a word), every control on the
// presenter view and the editor is reached with Tab in reading order, shows a focus ring and
// works from the keyboard, and reduced motion stops every transition and animation.
// Screenshots go to target/test-screenshots/a11y-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectNoViolations } from './axe.mjs';
import {
  cleanUp, eventually, launchChromium, openWatchedPage, origin, shots, sleep, Socket, startOnDeck, startServer, text,
} from './lib.mjs';

const DECK = `---
title: Every screen, for everyone
qa: moderate
reactions: 👏 ❤️
blocklist: marmite
---

# Every screen, for everyone

Join on your phone. More at [the project's page](https://example.org).

<!-- Welcome everyone, then open the first question. -->

---

<!-- question: single id=travel -->
# How did you get here?

- On foot
- By bike
- By car

---

<!-- question: multiple max=2 id=topics -->
# Which two topics should we cover?

- Ownership
- Async
- Macros

---

<!-- question: scale labels="Poor|Great" id=rate -->
# How was the talk?

- Content
- Delivery

---

<!-- question: scale min=0 max=10 id=recommend -->
# How likely are you to recommend this talk?

---

<!-- question: number min=0 max=1000 answer=206 id=bones -->
# How many bones are in an adult human body?

---

<!-- question: ranking id=release -->
# Rank these for the next release

- Alpha
- Beta
- Gamma

---

<!-- question: points total=100 id=budget -->
# Spread 100 points

- Speed
- Documentation

---

<!-- question: wordcloud max=3 id=cloud -->
# Three words for this session?

---

<!-- question: open max=2 moderate id=ideas -->
# What should we try next?

---

<!-- question: quiz time=20 id=planet -->
# Which planet is the largest?

- [ ] Mars
- [x] Jupiter
- [ ] Venus

---

<!-- question: quiz-text answer="Paris|Paris, France" id=capital -->
# What is the capital of France?

---

# Your questions

<!-- qa -->

---

<!-- leaderboard -->
# Leaderboard

---

<!-- podium -->
# Winners

---

# Thank you

Slides and code: [the project's page](https://example.org).

| Where | What |
|---|---|
| Slides | \`handsup serve talk.md\` |
`;
const SLIDE = {
  title: 0, travel: 1, topics: 2, rate: 3, recommend: 4, bones: 5, release: 6, budget: 7, cloud: 8, ideas: 9,
  planet: 10, capital: 11, qa: 12, leaderboard: 13, podium: 14, end: 15,
};
const SLIDES = 16;
const NICKNAMES = ['Ada', 'Grace', 'Linus'];

// What the three phones answer, per question.
const ANSWERS = {
  travel: [{ choices: [0] }, { choices: [0] }, { choices: [1] }],
  topics: [{ choices: [0, 1] }, { choices: [1] }, { choices: [1, 2] }],
  rate: [{ values: [4, 5] }, { values: [2, 5] }, { values: [5, 3] }],
  recommend: [{ values: [9] }, { values: [10] }, { values: [6] }],
  bones: [{ number: 206 }, { number: 150.5 }, { number: 480 }],
  release: [{ order: [2, 0, 1] }, { order: [1, 0, 2] }, { order: [2, 1, 0] }],
  budget: [{ values: [50, 50] }, { values: [20, 80] }, { values: [100, 0] }],
  cloud: [{ words: ['Rust', 'fast'] }, { words: ['rust', 'safe'] }, { words: ['marmite', 'fast', 'fun'] }],
  ideas: [{ text: 'Shorter talks' }, { text: 'More marmite' }, { text: 'A longer break in the afternoon' }],
  planet: [{ choices: [1] }, { choices: [0] }, { choices: [1] }],
  capital: [{ text: 'Paris' }, { text: 'Lyon' }, { text: 'paris, france' }],
};

let server;
let browser;
let presenter;
let projector;
let desk;
const phones = [];
const pageErrors = [];

const openPage = (url, contextOptions) =>
  openWatchedPage(browser, url, { bypassCSP: true, ...contextOptions }, { pageErrors });
const token = () => new URL(server.presenter).searchParams.get('token');
const presenterUrl = (pathname, extra = '') => {
  const url = new URL(server.presenter);
  url.pathname = pathname;
  return `${url.href}${extra}`;
};
const shot = (page, name, options = {}) =>
  page.screenshot({ path: path.join(shots, `a11y-${name}.png`), animations: 'disabled', ...options });
const both = () => [['presenter', presenter], ['projector', projector]];

// Lets the bars reach their length (300 ms) and the stage settle before it is checked.
const settle = () => sleep(400);

// axe on the presenter view and the projector; with `dark`, once more with a dark colour scheme
// asked for (the pages keep their own light theme: nothing may come out half dark).
async function check(what, { dark = false } = {}) {
  await settle();
  for (const [name, page] of both()) await expectNoViolations(page, `${name}: ${what}`);
  if (!dark) return;
  for (const [name, page] of both()) {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await expectNoViolations(page, `${name}, dark colour scheme: ${what}`);
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  }
}

// Text on the stage whose contrast axe could not work out because something lies over it (axe
// passes such text without checking it: an empty layer over the slide would hide the whole stage).
// Runs after `check`, which brought axe into the page.
const uncheckedText = (page) => page.evaluate(async () => {
  const result = await window.axe.run(document.getElementById('stage'), { runOnly: ['color-contrast'], resultTypes: ['incomplete'] });
  return result.incomplete.flatMap((rule) => rule.nodes)
    .filter((node) => [...node.any, ...node.all, ...node.none].some((c) => /overlapped/.test(c.message)))
    .map((node) => node.target.join(' '));
});

async function everyTextChecked(what) {
  for (const [name, page] of both()) assert.deepEqual(await uncheckedText(page), [], `${name}, ${what}: text axe could not check`);
}

async function goTo(index) {
  desk.send({ type: 'goto', slide: index });
  for (const [name, page] of both()) {
    await eventually(`the ${name} on slide ${index + 1}`, () => text(page, '#slide-number'), `${index + 1} / ${SLIDES}`);
  }
}

const setVoting = async (open) => {
  desk.send({ type: open ? 'open_voting' : 'close_voting' });
  for (const [name, page] of both()) {
    await eventually(`voting ${open ? 'open' : 'closed'} on the ${name}`, () => text(page, '#voting-status'),
      open ? 'Voting open' : 'Voting closed');
  }
};

async function answersShown(n) {
  for (const [name, page] of both()) await eventually(`${n} answers on the ${name}`, () => text(page, '#respondents'), String(n));
}

async function vote(question, answers = ANSWERS[question]) {
  const replies = [];
  for (const [i, answer] of answers.entries()) {
    const reply = await phones[i].request({ type: 'vote', question, answer }, ['ack']);
    assert.equal(reply.type, 'ack', `phone ${i} on ${question}: ${JSON.stringify(reply)}`);
    replies.push(reply);
  }
  await answersShown(answers.length);
  return replies;
}

async function setResultsVisible(visible) {
  desk.send({ type: visible ? 'show_results' : 'hide_results' });
  for (const [name, page] of both()) {
    await eventually(`results ${visible ? 'shown' : 'hidden'} on the ${name}`, () => page.locator('#results-hidden').isVisible(), !visible);
  }
}

async function reveal() {
  desk.send({ type: 'reveal_answer', revealed: true });
  await eventually('the presenter offers to hide the answer', () => text(presenter, '#reveal-toggle'), 'Hide answer');
  // Every revealed kind here marks its right answer with a tick, so the checks that follow see the reveal.
  await eventually('the answer ticked on the projector', async () => (await rowTexts(projector)).some((row) => row.includes('✓')), true);
}

// A question through its states: before voting, open with results, results hidden, closed, and
// (`revealed`) with its answer shown to the room. `during` runs while voting is open.
async function throughVoting(question, { revealed = false, during } = {}) {
  await goTo(SLIDE[question]);
  await check(`${question}, before voting`);
  await setVoting(true);
  const replies = await vote(question);
  await check(`${question}, voting open, results showing`, { dark: true });
  if (during) await during(replies);
  await setResultsVisible(false);
  await check(`${question}, results hidden`);
  await setResultsVisible(true);
  await setVoting(false);
  await check(`${question}, voting closed, results showing`);
  if (revealed) {
    await reveal();
    await check(`${question}, answer revealed`);
  }
  return replies;
}

// The rows of the results view as their text reads (innerText, whitespace as single spaces), in
// the order they are drawn.
const rowTexts = (page) => page.locator('#bars ol.bars > li').evaluateAll((rows) =>
  rows.map((li) => li.innerText.replace(/\s+/g, ' ').trim()));

// Each option row of the results view: its option, the letter on its badge, and its colour.
const badges = (page) => page.locator('#bars li[data-option]').evaluateAll((rows) => rows
  .map((li) => ({ option: Number(li.dataset.option), letter: li.querySelector('.badge').textContent.trim(),
    shown: li.querySelector('.badge').checkVisibility(), colour: getComputedStyle(li.querySelector('.badge')).backgroundColor }))
  .sort((a, b) => a.option - b.option));

// Every option has its own letter, in order, drawn beside its colour.
async function lettersOnProjector(what, options) {
  const found = await badges(projector);
  assert.deepEqual(found.map((b) => [b.option, b.letter, b.shown]),
    options.map((_, i) => [i, String.fromCharCode(65 + i), true]), `${what}: a letter on every option's badge`);
}

before(async () => {
  server = await startOnDeck('a11y', DECK);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  desk = new Socket(`ws://${new URL(server.presenter).host}/ws?token=${token()}`, origin(server.presenter));
  await desk.opened;
  for (const [i, nickname] of NICKNAMES.entries()) {
    const phone = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
    await phone.opened;
    phone.send({ type: 'hello', participant: `a11y-phone-${i}` });
    await eventually('the phone\'s first state', () => !!phone.last('state'), true);
    const named = await phone.request({ type: 'name', nickname }, ['nickname']);
    assert.equal(named.type, 'nickname', JSON.stringify(named));
    phones.push(phone);
  }
  presenter = await openPage(server.presenter, { viewport: { width: 1280, height: 800 } });
  projector = await openPage(`${server.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } });
  for (const [name, page] of both()) {
    await eventually(`the ${name} on the first slide`, () => text(page, '#slide-number'), `1 / ${SLIDES}`);
  }
  await eventually('the phones on the presenter', () => text(presenter, '#participants'), '3');
});

after(async () => {
  desk?.ws.terminate();
  for (const phone of phones) phone.ws.terminate();
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

test('the title slide: its join code, notes and next slide', async () => {
  await check('the title slide', { dark: true });
  await everyTextChecked('the title slide');
  // A small laptop screen: the key hints and reaction totals give way, nothing else may break.
  await presenter.setViewportSize({ width: 1024, height: 640 });
  try {
    await settle();
    await expectNoViolations(presenter, 'presenter at 1024×640: the title slide');
    await shot(presenter, 'presenter-1024');
  } finally {
    await presenter.setViewportSize({ width: 1280, height: 800 });
  }
  await shot(presenter, 'presenter-title');
  await shot(projector, 'projector-title');
});

test('single choice: every state, and each row reads "2 answers, 67%"', { timeout: 60_000 }, async () => {
  await throughVoting('travel', {
    async during() {
      const rows = ['A On foot 2 answers, 67%', 'B By bike 1 answer, 33%', 'C By car 0 answers, 0%'];
      for (const [name, page] of both()) {
        assert.deepEqual(await rowTexts(page), rows, `the rows' text on the ${name}`);
        // The row's accessible name says the same, with its letter.
        assert.equal(await page.getByRole('listitem', { name: 'A: On foot, 2 answers, 67%', exact: true }).count(), 1,
          `the first row's accessible name on the ${name}`);
      }
      // What the room sees is unchanged: the count and the percentage, side by side.
      assert.equal(await projector.locator('#bars li[data-option="0"] .nums').evaluate((el) => {
        const box = el.getBoundingClientRect();
        const count = el.querySelector('.count').getBoundingClientRect();
        const pct = el.querySelector('.pct').getBoundingClientRect();
        return pct.left - count.right < box.height;
      }), true, 'the unit takes no room between the count and the percentage');
      await lettersOnProjector('single choice', ['On foot', 'By bike', 'By car']);
      await everyTextChecked('single choice results');
      // A running timer puts a countdown on both screens.
      desk.send({ type: 'start_timer', seconds: 60 });
      for (const [name, page] of both()) await eventually(`the countdown on the ${name}`, () => page.locator('#countdown').isVisible(), true);
      await check('travel, timer running', { dark: true });
      await shot(presenter, 'presenter-results');
      await presenter.emulateMedia({ colorScheme: 'dark' });
      await shot(presenter, 'presenter-dark');
      await presenter.emulateMedia({ colorScheme: 'light' });
      await shot(projector, 'projector-results');
      desk.send({ type: 'stop_timer' });
      for (const [name, page] of both()) await eventually(`no countdown on the ${name}`, () => page.locator('#countdown').isVisible(), false);
    },
  });
});

test('multiple choice, both scales, ranking and points: every state, a letter on every option', { timeout: 120_000 }, async () => {
  await throughVoting('topics', {
    async during() {
      assert.deepEqual(await rowTexts(presenter), ['A Ownership 1 answer, 33%', 'B Async 3 answers, 100%', 'C Macros 1 answer, 33%']);
      await lettersOnProjector('multiple choice', ['Ownership', 'Async', 'Macros']);
    },
  });
  await throughVoting('rate', {
    async during() {
      const letters = await projector.locator('#bars [data-row]').evaluateAll((rows) => rows.map((row) => row.querySelector('.badge').textContent));
      assert.deepEqual(letters, ['A', 'B'], 'a letter on every statement');
    },
  });
  await throughVoting('recommend');
  await throughVoting('release', {
    async during() {
      // Rows are in rank order; each keeps its own letter.
      // Borda, 2-1-0 points by place: Gamma 2+0+2, Beta 0+2+1, Alpha 1+1+0.
      assert.deepEqual(await rowTexts(projector), ['1 C Gamma 4 pts', '2 B Beta 3 pts', '3 A Alpha 2 pts']);
      await lettersOnProjector('ranking', ['Alpha', 'Beta', 'Gamma']);
    },
  });
  await throughVoting('budget', {
    async during() {
      await lettersOnProjector('points', ['Speed', 'Documentation']);
    },
  });
});

test('number: the rows read as answers and percentages; the answer\'s range has a tick, not only a colour', { timeout: 60_000 }, async () => {
  await throughVoting('bones', {
    revealed: true,
    async during() {
      const rows = await rowTexts(presenter);
      assert.deepEqual(rows.slice(0, 5), ['0 – 100 0 answers, 0%', '100 – 200 1 answer, 33%', '✓ 200 – 300 1 answer, 33%',
        '300 – 400 0 answers, 0%', '400 – 500 1 answer, 33%']);
    },
  });
  await eventually('the revealed answer\'s range, ticked, on the projector', async () => (await rowTexts(projector))[2],
    '✓ 200 – 300 1 answer, 33%');
  await shot(projector, 'projector-number-revealed');
});

test('word cloud and moderated posts: the queue, the wall and a pinned post', { timeout: 60_000 }, async () => {
  await throughVoting('cloud');
  const replies = await throughVoting('ideas', {
    async during() {
      // The posts wait for the speaker: the queue holds them, the wall is still empty.
      await eventually('three posts waiting', () => text(presenter, '#moderation-filters [data-filter=pending] .n'), '3');
      await check('ideas, posts waiting in the queue');
      await shot(presenter, 'presenter-queue');
    },
  });
  const [first, second, third] = replies.map((reply) => reply.entry);
  desk.send({ type: 'moderate', entry: first, state: 'shown' });
  desk.send({ type: 'moderate', entry: second, state: 'shown' });
  desk.send({ type: 'moderate', entry: third, state: 'pinned' });
  await eventually('the pinned post on the projector', () => projector.locator('#stage .card.pinned').count(), 1);
  await eventually('the wall on the projector', () => projector.locator('#stage .card').count(), 3);
  await check('ideas, the wall with a pinned post', { dark: true });
  await shot(projector, 'projector-wall');
});

test('quiz and typed quiz: the room\'s countdown, then the right answer marked with a tick and a word', { timeout: 90_000 }, async () => {
  await throughVoting('planet', {
    revealed: true,
    async during() {
      await eventually('the room sees only the countdown', () => projector.locator('#bars .quiz-wait').isVisible(), true);
      await shot(projector, 'projector-quiz-countdown');
    },
  });
  await eventually('the revealed quiz on the projector', () => rowTexts(projector),
    ['A Mars 1 answer, 33%', 'B Jupiter ✓ Correct 2 answers, 67%', 'C Venus 0 answers, 0%']);
  await lettersOnProjector('quiz', ['Mars', 'Jupiter', 'Venus']);
  await shot(projector, 'projector-quiz-revealed');
  await throughVoting('capital', { revealed: true });
  await eventually('the revealed typed quiz on the projector', () => rowTexts(projector), ['✓ Right 2 answers, 67%', '✗ Wrong 1 answer, 33%']);
});

test('Q&A: questions waiting, then on the board with one highlighted and one answered', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.qa);
  const asked = [];
  for (const [i, words] of ['How does it work offline?', 'Can I export the results?', 'Does it need an account?'].entries()) {
    const reply = await phones[i].request({ type: 'ask', text: words }, ['ack']);
    assert.equal(reply.type, 'ack', JSON.stringify(reply));
    asked.push(reply.entry);
  }
  await eventually('the questions wait for approval', () => text(presenter, '#moderation-filters [data-filter=pending] .n'), '3');
  await check('Q&A, questions waiting');
  for (const entry of asked) desk.send({ type: 'moderate', entry, state: 'shown' });
  await eventually('the board on the projector', () => projector.locator('#stage .qa-row').count(), 3);
  const upvoted = await phones[0].request({ type: 'upvote', entry: asked[1], on: true }, ['ack']);
  assert.equal(upvoted.type, 'ack', JSON.stringify(upvoted));
  desk.send({ type: 'highlight', entry: asked[0] });
  desk.send({ type: 'moderate', entry: asked[2], state: 'answered' });
  await eventually('the highlighted question', () => projector.locator('#stage .qa-now').isVisible(), true);
  await eventually('the answered question', () => projector.locator('#stage .qa-row.answered').count(), 1);
  const row = await projector.locator('#stage .qa-row').first().evaluate((li) => li.innerText.replace(/\s+/g, ' ').trim());
  assert.equal(row, '1 vote Can I export the results?', 'a row reads its votes as words');
  await check('Q&A, one highlighted and one answered', { dark: true });
  await shot(projector, 'projector-qa');
});

test('leaderboard, podium, the rename dialog, the blocked words and a black screen', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.leaderboard);
  await eventually('the leaderboard on the projector', () => projector.locator('#stage .lb-row').count(), 3);
  await eventually('the players on the presenter', () => presenter.locator('#players .player').count(), 3);
  await check('the leaderboard', { dark: true });
  await shot(projector, 'projector-leaderboard');

  // The rename dialog, opened from the keyboard; Escape keeps the name.
  const rename = presenter.getByRole('button', { name: /^Rename Ada to Player \d+$/ });
  await rename.focus();
  await presenter.keyboard.press('Enter');
  await eventually('the rename dialog', () => presenter.locator('#rename-dialog').isVisible(), true);
  assert.equal(await presenter.evaluate(() => document.activeElement.id), 'rename-cancel', 'the safe answer has the focus');
  await settle();
  await expectNoViolations(presenter, 'presenter: the rename dialog');
  await presenter.keyboard.press('Escape');
  await eventually('the dialog closed', () => presenter.locator('#rename-dialog').isVisible(), false);

  await presenter.locator('#blocklist summary').focus();
  await presenter.keyboard.press('Enter');
  await eventually('the blocked words open', () => presenter.locator('#blocklist-words').isVisible(), true);
  await expectNoViolations(presenter, 'presenter: the blocked words open');
  await presenter.keyboard.press('Enter');
  await eventually('the blocked words closed', () => presenter.locator('#blocklist-words').isVisible(), false);

  await goTo(SLIDE.podium);
  await eventually('the podium revealed', () => projector.locator('#stage .podium-place.revealed').count(), 3, 15_000);
  await check('the podium', { dark: true });
  await shot(projector, 'projector-podium');

  desk.send({ type: 'set_black', black: true });
  await eventually('the projector black', () => projector.locator('#blackout').isVisible(), true);
  await eventually('the presenter says so', () => presenter.locator('#black-badge').isVisible(), true);
  await check('a black screen');
  await shot(presenter, 'presenter-black');
  desk.send({ type: 'set_black', black: false });
  await eventually('the projector back', () => projector.locator('#blackout').isVisible(), false);

  await goTo(SLIDE.end);
  await check('the last slide: a table and code, nothing next', { dark: true });
});

// The focused element's box, what it is, the part of the page it is in, and its focus ring.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const part = el.closest('#notice, #review, #status, #current, #side, #controls, #top, #list-column, #form-column, #preview-column, dialog');
  return {
    name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} «${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30)}»`,
    part: part ? part.id || part.tagName.toLowerCase() : 'page',
    x: box.left,
    y: box.top,
    height: box.height,
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? `${style.outlineWidth} ${style.outlineStyle}` : null,
  };
});

// Tabs from the top of the page until the focus leaves it; returns what was focused, in order.
async function tabThrough(page, limit = 120) {
  // Focus on the document itself, then nowhere: the next Tab starts from the top (a blur alone
  // leaves Chromium's starting point where the focus was).
  await page.evaluate(() => {
    const root = document.documentElement;
    root.tabIndex = -1;
    root.focus();
    root.removeAttribute('tabindex');
    document.activeElement?.blur();
  });
  const seen = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now || (seen.length && now.name === seen[0].name && now.y === seen[0].y)) break;
    seen.push(now);
  }
  return seen;
}

// Every control a keyboard should reach: visible, enabled, and in the tab order.
const reachable = (page) => page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select, textarea, summary, [tabindex]')]
  .filter((el) => el.checkVisibility() && !el.disabled && el.tabIndex >= 0 && !el.closest('[inert], [aria-hidden="true"]'))
  .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} «${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30)}»`));

function checkTabOrder(what, seen, expected, parts) {
  const names = seen.map((s) => s.name);
  assert.deepEqual(expected.filter((name) => !names.includes(name)), [], `${what}: controls Tab never reaches`);
  assert.deepEqual(seen.filter((s) => !s.ring).map((s) => s.name), [], `${what}: focused without a visible focus ring`);
  // The parts of the page come in reading order, each once.
  const order = seen.map((s) => s.part).filter((part, i, all) => part !== all[i - 1]);
  assert.deepEqual(order, parts.filter((part) => order.includes(part)), `${what}: the order Tab goes through the page`);
  // Within a part, left to right and then down (controls wrap onto a second line).
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1], seen[i]];
    if (a.part !== b.part) continue;
    const sameLine = Math.abs(a.y - b.y) < Math.min(a.height, b.height) / 2;
    assert.ok(sameLine ? b.x > a.x : b.y > a.y, `${what}: Tab goes from ${a.name} back to ${b.name}`);
  }
}

test('presenter view: every control reached by Tab in reading order with a focus ring, and worked from the keyboard', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.travel);
  await setVoting(true);
  // A post waiting, so that the queue has a row to reach.
  const replies = await phones[0].request({ type: 'ask', text: 'Is there a keyboard shortcut list?' }, ['ack']);
  assert.equal(replies.type, 'ack', JSON.stringify(replies));
  await eventually('the question waits', () => text(presenter, '#moderation-filters [data-filter=pending] .n'), '1');

  const seen = await tabThrough(presenter);
  checkTabOrder('presenter view', seen, await reachable(presenter), ['notice', 'review', 'status', 'current', 'side', 'controls']);
  assert.ok(seen.length >= 15, `Tab reached only ${seen.length} controls: ${seen.map((s) => s.name).join(', ')}`);

  // The queue's row acts on its keys: A approves the question.
  await presenter.locator('#queue .post').first().focus();
  await presenter.keyboard.press('a');
  await eventually('approved from the keyboard', () => text(presenter, '#moderation-filters [data-filter=pending] .n'), '0');

  // Enter and Space press the focused button, and do nothing else.
  await presenter.locator('#black-toggle').focus();
  await presenter.keyboard.press('Enter');
  await eventually('black screen from Enter', () => presenter.locator('#black-toggle').getAttribute('aria-pressed'), 'true');
  await shot(presenter, 'presenter-focus');
  await presenter.keyboard.press(' ');
  await eventually('the slide back from Space', () => presenter.locator('#black-toggle').getAttribute('aria-pressed'), 'false');
  assert.equal(await text(presenter, '#slide-number'), `${SLIDE.travel + 1} / ${SLIDES}`, 'Space on a button does not change the slide');
  await presenter.locator('#voting-toggle').focus();
  await presenter.keyboard.press(' ');
  await eventually('voting closed from Space', () => text(presenter, '#voting-status'), 'Voting closed');
  await presenter.locator('#next').focus();
  await presenter.keyboard.press('Enter');
  await eventually('the next slide from Enter', () => text(presenter, '#slide-number'), `${SLIDE.travel + 2} / ${SLIDES}`);
  await presenter.locator('#prev').focus();
  await presenter.keyboard.press('Enter');
  await eventually('the slide before from Enter', () => text(presenter, '#slide-number'), `${SLIDE.travel + 1} / ${SLIDES}`);
});

// Every element that moves, with what makes it move: a transition or animation that lasts.
const moving = (page) => page.evaluate(() => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    const lasts = (list) => list.split(',').some((d) => parseFloat(d) > 0);
    if (style.transitionProperty !== 'none' && lasts(style.transitionDuration)) found.push(`${el.className}: transition ${style.transitionDuration}`);
    if (style.animationName !== 'none' && lasts(style.animationDuration)) found.push(`${el.className}: animation ${style.animationName}`);
  }
  const running = document.getAnimations().filter((a) => a.playState === 'running').length;
  return { found: [...new Set(found)], running };
});

test('reduced motion: new answers move nothing on the presenter view or the projector', { timeout: 60_000 }, async () => {
  for (const [, page] of both()) await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    for (const question of ['travel', 'cloud', 'ideas']) {
      await goTo(SLIDE[question]);
      await setVoting(true);
      // A changed answer on each: the bars, words and cards that would ease into place.
      const change = { travel: { choices: [2] }, cloud: { words: ['calm'] }, ideas: { text: 'Stillness' } }[question];
      const drawn = (page) => page.locator('#bars').innerText();
      const before = await Promise.all(both().map(([, page]) => drawn(page)));
      const reply = await phones[2].request({ type: 'vote', question, answer: change }, ['ack']);
      assert.equal(reply.type, 'ack', JSON.stringify(reply));
      if (question === 'ideas') desk.send({ type: 'moderate', entry: reply.entry, state: 'shown' });
      // Checked once the change is drawn, when anything it set moving would still be running.
      for (const [i, [name, page]] of both().entries()) {
        await eventually(`${name}, ${question}: the change drawn`, async () => (await drawn(page)) !== before[i], true);
      }
      for (const [name, page] of both()) {
        assert.deepEqual(await moving(page), { found: [], running: 0 }, `${name}, ${question}: what moves with reduced motion`);
      }
      await setVoting(false);
    }
    await goTo(SLIDE.podium);
    await eventually('the whole podium at once', () => projector.locator('#stage .podium-place.revealed').count(), 3, 1000);
    assert.deepEqual(await moving(projector), { found: [], running: 0 }, 'projector, podium: what moves with reduced motion');
    await shot(projector, 'projector-reduced-motion');
  } finally {
    for (const [, page] of both()) await page.emulateMedia({ reducedMotion: 'no-preference' });
  }
});

test('deck editor: every slide and the dialog pass axe; Tab reaches every control in order; the list works from the keyboard', { timeout: 90_000 }, async () => {
  const editor = await openPage(presenterUrl('/editor'), { viewport: { width: 1280, height: 800 } });
  await eventually('the deck in the editor', () => editor.locator('#slides > li').count(), SLIDES);
  await eventually('the form', () => editor.locator('#form').isVisible(), true);
  await expectNoViolations(editor, 'editor: the first slide');
  await editor.emulateMedia({ colorScheme: 'dark' });
  await expectNoViolations(editor, 'editor, dark colour scheme: the first slide');
  await editor.emulateMedia({ colorScheme: 'light' });
  await shot(editor, 'editor');

  const seen = await tabThrough(editor);
  checkTabOrder('editor', seen, await reachable(editor), ['top', 'list-column', 'form-column', 'preview-column']);

  // The list: arrows choose, every slide's form checked on the way.
  await editor.locator('#slides button.pick[aria-current="true"]').focus();
  for (let i = 1; i < SLIDES; i++) {
    await editor.keyboard.press('ArrowDown');
    await eventually('the next slide chosen', () => editor.locator('#slides > li').nth(i).locator('button').getAttribute('aria-current'), 'true');
    assert.equal(await editor.evaluate(() => document.activeElement.closest('#slides li')?.dataset.index), String(i), 'the focus follows');
    await sleep(150);
    await expectNoViolations(editor, `editor: slide ${i + 1}`);
  }
  await shot(editor, 'editor-last-slide');

  // A new slide from the keyboard, then its Delete asks first; Escape keeps it.
  await editor.locator('#add-slide').focus();
  await editor.keyboard.press('Enter');
  await eventually('a slide added from Enter', () => editor.locator('#slides > li').count(), SLIDES + 1);
  assert.equal(await editor.evaluate(() => document.activeElement.id), 'title', 'the focus goes to the new slide\'s title');
  await editor.keyboard.type('Questions?');
  await editor.locator('#delete').focus();
  await editor.keyboard.press('Enter');
  await eventually('the dialog', () => editor.locator('#ask').isVisible(), true);
  await settle();
  await expectNoViolations(editor, 'editor: the delete dialog');
  await shot(editor, 'editor-dialog');
  await editor.keyboard.press('Escape');
  await eventually('the dialog closed', () => editor.locator('#ask').isVisible(), false);
  assert.equal(await editor.locator('#slides > li').count(), SLIDES + 1, 'Escape deleted nothing');
  // A question with an answer id the server refuses: the form says what is wrong, by the field.
  await editor.locator('#slides > li').nth(SLIDE.travel).locator('button').click();
  await editor.locator('#question-id').fill('not an id!');
  await eventually('the problem said', () => editor.locator('#question-id-error').isVisible(), true);
  assert.equal(await editor.locator('#question-id').getAttribute('aria-invalid'), 'true', 'the field is marked invalid');
  await expectNoViolations(editor, 'editor: a question with a bad answer id');
  await shot(editor, 'editor-problem');
  await editor.context().close();
});

test('a past session shown again, the Sessions window and the report', { timeout: 120_000 }, async () => {
  // A new session on the same deck and address: the first becomes a past one.
  desk.ws.terminate();
  for (const phone of phones) phone.ws.terminate();
  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null }, server.log());
  const port = new URL(server.participant).port;
  const restarted = await startServer(['--bind', '127.0.0.1', '--port', port, '--data', path.join(server.dataDir, 'data'),
    '--new-session', server.deckFile]);
  server = { ...restarted, dataDir: server.dataDir, deckFile: server.deckFile };
  for (const [name, page] of both()) {
    await eventually(`the ${name} back on the first slide`, () => text(page, '#slide-number'), `1 / ${SLIDES}`, 20_000);
  }

  const sessions = await openPage(presenterUrl('/sessions', '&from=presenter'), { viewport: { width: 1000, height: 760 } });
  await eventually('two sessions listed', () => sessions.locator('#sessions li.session').count(), 2);
  await expectNoViolations(sessions, 'sessions');
  await sessions.emulateMedia({ colorScheme: 'dark' });
  await expectNoViolations(sessions, 'sessions, dark colour scheme');
  await sessions.emulateMedia({ colorScheme: 'light' });
  const old = sessions.locator('#sessions li.session').nth(1);
  await old.getByRole('button', { name: /^Delete/ }).first().click();
  await eventually('the question in the row', () => old.locator('.panel.confirm').isVisible(), true);
  await expectNoViolations(sessions, 'sessions: a deletion asked in the row');
  await shot(sessions, 'sessions');
  await old.getByRole('button', { name: 'Cancel', exact: true }).click();

  await old.getByRole('button', { name: 'Show results', exact: true }).click();
  await eventually('the review banner on the presenter', () => presenter.locator('#review').isVisible(), true, 20_000);
  await eventually('no join code on the projector', () => projector.locator('#join').isVisible(), false, 20_000);
  await check('a past session, read-only');
  await expectNoViolations(sessions, 'sessions: a past session on screen');
  desk = new Socket(`ws://${new URL(server.presenter).host}/ws?token=${token()}`, origin(server.presenter));
  await desk.opened;
  await eventually('the past session on the desk', () => !!desk.last('deck')?.review, true);
  await goTo(SLIDE.travel);
  await check('a past session\'s results, read-only', { dark: true });
  await shot(presenter, 'presenter-review');

  // The report of the past session, as the Sessions window opens it.
  const report = await openPage(presenterUrl('/report'), { viewport: { width: 1000, height: 760 } });
  await eventually('the report', async () => (await report.locator('h1').count()) > 0, true);
  await expectNoViolations(report, 'the report');
  await report.emulateMedia({ colorScheme: 'dark' });
  await expectNoViolations(report, 'the report, dark colour scheme');
  await shot(report, 'report', { fullPage: true });
  await report.context().close();

  await presenter.getByRole('button', { name: 'Back to the live session', exact: true }).click();
  await eventually('the banner gone', () => presenter.locator('#review').isVisible(), false, 20_000);
  await sessions.context().close();
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
