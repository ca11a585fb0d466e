// Every question kind in a real browser against `handsup serve`: three phones answer each
// kind through its accessible names only, the presenter and projector show the exact
// results, a timer closes voting on the server's clock, phones see results when the deck
// says so, and a number question's answer reaches the room only when revealed.
// Screenshots of every kind (phone light and dark, projector at two sizes) go to
// target/test-screenshots/kinds-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  eventually, launchChromium, phoneLayout, shots, sleep, smallText, startOnDeck, text, cleanUp, onWholePage, openWatchedPage } from './lib.mjs';

const DOCS = 'Documentation and examples';
const UNSAFE = 'Unsafe code and the foreign function interface';

// One question of each kind, in this order; slide 0 is a content slide.
const DECK = `---
title: Every question kind
---

# Every kind

One question of each kind.

---

<!-- question: single id=drink -->
# Coffee or tea?

- Coffee
- Tea
- Water

---

<!-- question: multiple max=2 results=phones id=topics -->
# Which two topics should we cover?

- Ownership
- Async
- Macros
- ${UNSAFE}

---

<!-- question: scale labels="Poor|Great" results=phones id=rate -->
# How was the talk?

- Content
- Delivery

---

<!-- question: scale min=0 max=10 id=recommend -->
# How likely are you to recommend this talk?

---

<!-- question: number min=0 max=1000 answer=206 results=phones id=bones -->
# How many bones are in an adult human body?

---

<!-- question: ranking results=phones id=release -->
# Rank these for the next release

- Alpha
- Beta
- Gamma
- Delta

---

<!-- question: points total=100 results=phones id=budget -->
# Spread 100 points over where we should spend our time

- Speed
- New features
- ${DOCS}

---

<!-- question: single time=5 id=quick -->
# Quick: is it Friday?

- Yes
- No

---

# Thank you
`;
const SLIDES = 10;
const SLIDE = { drink: 1, topics: 2, rate: 3, recommend: 4, bones: 5, release: 6, budget: 7, quick: 8 };

let server;
let serverExit;
let dataDir;
let browser;
let urls;
let presenter;
let projector;
// phones[0] is the cheap one: 320×640. Each has `.gate` (see routeSocket in lib.mjs).
const phones = [];
const pageErrors = [];

const openPage = (url, contextOptions, { gate = false } = {}) =>
  openWatchedPage(browser, url, contextOptions, { gate, pageErrors });

const button = (page, name) => page.getByRole('button', { name, exact: true });
const status = (page) => text(page, '#status');
const shot = (page, name, options = {}) =>
  page.screenshot({ path: path.join(shots, `kinds-${name}.png`), animations: 'disabled', ...options });

// Answers through `act` (clicks and typing), then checks the server got `expected` and
// the phone said "Saved" only once the server's acknowledgement reached it: the ack is
// held back first, and the phone must still say "Sending…" while the server has the answer.
async function answer(phone, expected, act) {
  const gate = phone.gate;
  gate.hold();
  try {
    await act();
    await eventually('the server acknowledged the vote', () => gate.held.length, 1);
    assert.deepEqual(JSON.parse(gate.held[0]).answer, expected, 'the answer the server stored');
    await sleep(100);
    assert.equal(await status(phone), 'Sending…', 'the phone waits for the acknowledgement');
    assert.equal(await phone.getByText(/Saved/).count(), 0, 'nothing says saved before the ack');
  } finally {
    gate.release();
  }
  await eventually('phone status after the ack', async () => (await status(phone)).startsWith('Saved.'), true);
}

// Moves the presenter to a slide with the arrow keys a clicker sends.
async function goTo(index) {
  for (;;) {
    const [at] = (await text(presenter, '#slide-number')).split(' / ').map(Number);
    if (at === index + 1) break;
    await presenter.keyboard.press(at < index + 1 ? 'ArrowRight' : 'ArrowLeft');
    await eventually('slide number after a key', async () => (await text(presenter, '#slide-number')) !== `${at} / ${SLIDES}`, true);
  }
  await eventually('the slide number', () => text(presenter, '#slide-number'), `${index + 1} / ${SLIDES}`);
}

// Everything a phone shows for the question, checked the same way for each kind.
async function onEveryPhone(prompt, check) {
  for (const phone of phones) {
    await eventually('phone shows the question', () => text(phone, '#h'), prompt);
    if (check) await check(phone);
  }
}

// No control under 48 px tall on any phone, and nothing wider than the 320 px screen.
async function checkLayout(what) {
  for (const phone of phones) {
    const { small, overflow } = await phoneLayout(phone);
    const width = phone.viewportSize().width;
    assert.deepEqual(small, [], `${what}: touch targets under 48 px tall at ${width} px`);
    assert.equal(overflow, 0, `${what}: the page scrolls sideways at ${width} px`);
  }
}

// The results view as text: one string per row, plus the figures and the answer count.
// A bar's length is its target width, to 0.1 % (the CSS transition only animates towards it).
function results(page) {
  return page.evaluate(() => {
    const view = document.getElementById('bars');
    const t = (el, sel) => (el.querySelector(sel)?.textContent ?? '').trim();
    const shown = (el) => !!el && el.checkVisibility();
    const join = (...parts) => parts.filter((p) => p !== '').join(' ');
    const out = { kind: view.dataset.kind, respondents: t(document, '#respondents'), voting: t(document, '#voting-status') };
    if (view.dataset.kind === 'scale') {
      out.rows = [...view.querySelectorAll('[data-row]')].map((row) => join(
        t(row, ':scope > .badge'), t(row, ':scope > .label'), '|',
        [...row.querySelectorAll('.point-count')].map((c) => c.textContent).join(' '), '|',
        t(row, '.mean'), t(row, '.median')));
    } else {
      out.rows = [...view.querySelectorAll('ol.bars > li')].map((li) => join(
        t(li, '.rank'), t(li, '.badge'), t(li, '.label'), '|', t(li, '.count'), t(li, '.pct'), '|',
        `${+parseFloat(li.querySelector('.fill').style.width || '0').toFixed(1)}%`));
    }
    if (view.dataset.kind === 'number') {
      out.figures = [...view.querySelectorAll('.fig')].filter(shown)
        .map((fig) => [...fig.querySelectorAll('dt, dd')].filter(shown).map((x) => x.textContent.trim()).join(' '));
      out.answerRow = [...view.querySelectorAll('ol.bins > li')].findIndex((li) => li.classList.contains('answer'));
    }
    return out;
  });
}

// The results section on a phone: null while hidden, else its lines.
function phoneResults(phone) {
  return phone.evaluate(() => {
    const box = document.getElementById('res');
    if (!box.checkVisibility()) return null;
    return [document.getElementById('resn').textContent, ...[...document.querySelectorAll('#rows > .r')].map((r) => {
      const parts = [...r.querySelectorAll('p > *')].map((x) => x.textContent).filter(Boolean);
      const bar = r.querySelector('.bar i');
      return parts.join(' | ') + (bar ? ` | ${bar.style.width}` : '');
    })];
  });
}

// The cheap phone in light and dark, the whole page as someone would scroll through it: the
// window is made as tall as the page (a full-page capture would leave the sticky footer
// over the middle of a long page).
async function phoneShots(name) {
  const phone = phones[0];
  await onWholePage(phone, async () => {
    await shot(phone, `phone-${name}-light`);
    await phone.emulateMedia({ colorScheme: 'dark' });
    await shot(phone, `phone-${name}-dark`);
  });
}

// The projector at 1920×1080 and 1280×720, once the results are in. Nothing on the stage
// is smaller than 28 px at 1920×1080 (the UI brief's floor for the back row), and the
// same at 1280×720, only scaled.
async function projectorShots(name) {
  for (const [width, height] of [[1920, 1080], [1280, 720]]) {
    await projector.setViewportSize({ width, height });
    await sleep(350);
    assert.deepEqual(await smallText(projector, '#stage', (28 * width) / 1920), [],
      `${name}: text under 28 px (at 1920 wide) on the projector at ${width}×${height}`);
    await shot(projector, `projector-${name}-${width}x${height}`);
  }
  await projector.setViewportSize({ width: 1920, height: 1080 });
}

async function closeVoting() {
  await presenter.locator('#voting-toggle').click();
  await eventually('presenter voting status', () => text(presenter, '#voting-status'), 'Voting closed');
  for (const phone of phones) {
    await eventually('phone says voting is closed', async () => (await status(phone)).startsWith('Voting is closed.'), true);
  }
}

before(async () => {
  const started = await startOnDeck('kinds', DECK);
  dataDir = started.dataDir;
  server = started.child;
  serverExit = started.exited;
  urls = { participant: started.participant, presenter: started.presenter };
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });

  presenter = await openPage(urls.presenter, { viewport: { width: 1280, height: 800 } });
  projector = await openPage(`${urls.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } });
  const sizes = [{ width: 320, height: 640 }, { width: 390, height: 844 }, { width: 360, height: 740 }];
  for (const [i, viewport] of sizes.entries()) {
    phones.push(await openPage(urls.participant, { viewport, hasTouch: true, isMobile: true, deviceScaleFactor: i ? 1 : 2 }, { gate: true }));
  }
  await eventually('phones on the presenter', async () => Number(await text(presenter, '#participants')), 3);
  await eventually('slides on the presenter', () => text(presenter, '#slide-number'), `1 / ${SLIDES}`);
});

after(() => cleanUp({ browser, server, exited: serverExit, dataDir }));

test('single choice: one tap votes; a presenter timer shows on phones and can be stretched and stopped', async () => {
  await goTo(SLIDE.drink);
  await onEveryPhone('Coffee or tea?', async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Choose one answer.');
    assert.equal(await phone.locator('#send').isVisible(), false, 'a single choice needs no Submit');
  });
  await checkLayout('single choice');
  await answer(phones[0], { choices: [0] }, () => button(phones[0], 'Coffee').click());
  await answer(phones[1], { choices: [1] }, () => button(phones[1], 'Tea').click());
  await answer(phones[2], { choices: [0] }, () => button(phones[2], 'Coffee').click());
  assert.equal(await button(phones[0], 'Coffee').getAttribute('aria-pressed'), 'true');
  assert.equal(await button(phones[0], 'Tea').getAttribute('aria-pressed'), 'false');

  const expected = {
    kind: 'choice', respondents: '3', voting: 'Voting open',
    rows: ['A Coffee | 2 67% | 66.7%', 'B Tea | 1 33% | 33.3%', 'C Water | 0 0% | 0%'],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  await eventually('answers in the status bar', () => text(presenter, '#status-answers'), '3 answers');

  // No time= in the deck: the presenter's timer runs 60 s; +30 s stretches it; Stop removes it.
  assert.equal(await text(presenter, '#status-timer'), 'Off');
  assert.equal(await phones[0].locator('#clock').isVisible(), false, 'no countdown without a timer');
  await presenter.locator('#timer-toggle').click();
  await eventually('phone countdown after Start timer',
    async () => ['1:00 left', '0:59 left'].includes(await text(phones[0], '#clock')), true);
  await eventually('presenter countdown', async () => ['1:00', '0:59'].includes(await text(presenter, '#status-timer')), true);
  const secondsLeft = async (phone) => {
    const [, m, s] = /^(\d+):(\d\d) left$/.exec(await text(phone, '#clock')) || [];
    return m === undefined ? null : Number(m) * 60 + Number(s);
  };
  // The phone learns the server's clock from a frame sent on connect, which a busy machine
  // may deliver late: its countdown can then run up to a second long.
  let before = null;
  await eventually('a minute on the second phone', async () => {
    before = await secondsLeft(phones[1]);
    return before > 50 && before <= 61;
  }, true);
  await presenter.locator('#timer-add').click();
  // 30 s more than it had (give or take the second that passed meanwhile).
  await eventually('phone countdown after +30 s', async () => {
    const after = await secondsLeft(phones[1]);
    return after >= before + 28 && after <= before + 30;
  }, true);
  await presenter.locator('#timer-toggle').click();
  await eventually('no countdown after Stop timer', () => phones[0].locator('#clock').isVisible(), false);
  await eventually('presenter timer off', () => text(presenter, '#status-timer'), 'Off');
  assert.equal(await text(presenter, '#voting-status'), 'Voting open', 'stopping the timer leaves voting open');

  await phoneShots('single');
  await projectorShots('single');
  // Without results=phones, closing voting shows phones no results.
  await closeVoting();
  assert.equal(await phoneResults(phones[0]), null, 'no results on phones for this question');
  assert.equal(await button(phones[0], 'Tea').isDisabled(), true, 'options are disabled once voting is closed');
});

test('multiple choice with max=2: a third pick is refused on the phone; results reach phones after closing', async () => {
  await goTo(SLIDE.topics);
  await onEveryPhone('Which two topics should we cover?', async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Choose up to 2 answers.');
    assert.equal(await phone.locator('#send').isDisabled(), true, 'Submit waits for a choice');
  });
  await checkLayout('multiple choice');

  await answer(phones[0], { choices: [0, 1] }, async () => {
    await button(phones[0], 'Ownership').click();
    await button(phones[0], 'Async').click();
    await button(phones[0], 'Macros').click();
    assert.match(await status(phones[0]), /^You can choose at most 2\. Unselect one first\./);
    assert.equal(await button(phones[0], 'Macros').getAttribute('aria-pressed'), 'false', 'the third pick is not taken');
    await button(phones[0], 'Submit').click();
  });
  await answer(phones[1], { choices: [1, 3] }, async () => {
    await button(phones[1], UNSAFE).click();
    await button(phones[1], 'Async').click();
    await button(phones[1], 'Submit').click();
  });
  await answer(phones[2], { choices: [1] }, async () => {
    await button(phones[2], 'Async').click();
    await button(phones[2], 'Submit').click();
  });
  await checkLayout('multiple choice, answered');

  const expected = {
    kind: 'choice', respondents: '3', voting: 'Voting open',
    rows: ['A Ownership | 1 33% | 33.3%', 'B Async | 3 100% | 100%', 'C Macros | 0 0% | 0%', `D ${UNSAFE} | 1 33% | 33.3%`],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  assert.equal(await phoneResults(phones[0]), null, 'no results on phones while voting is open');
  await phoneShots('multiple');
  await projectorShots('multiple');

  await closeVoting();
  const onPhones = ['3 answers', 'Ownership | 1 · 33% | 33%', 'Async | 3 · 100% | 100%', 'Macros | 0 · 0% | 0%', `${UNSAFE} | 1 · 33% | 33%`];
  for (const phone of phones) await eventually('results on the phone', () => phoneResults(phone), onPhones);
  assert.equal(await phones[0].getByRole('region', { name: 'Results' }).isVisible(), true, 'the results are a named region');
  await checkLayout('multiple choice results');
  await phoneShots('multiple-results');

  // Hidden results leave the phones too.
  await presenter.locator('#results-toggle').click();
  await eventually('results hidden on the phone', () => phoneResults(phones[1]), null);
  await presenter.locator('#results-toggle').click();
  await eventually('results back on the phone', () => phoneResults(phones[1]), onPhones);
});

test('scale with two statements and end labels: one group per row, mean and median per row', async () => {
  await goTo(SLIDE.rate);
  await onEveryPhone('How was the talk?', async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Choose from 1 to 5 in every row.');
    for (const row of ['Content', 'Delivery']) {
      const names = await phone.getByRole('group', { name: row, exact: true }).getByRole('button')
        .evaluateAll((list) => list.map((b) => b.getAttribute('aria-label')));
      assert.deepEqual(names, [`${row}: 1 of 5, Poor`, `${row}: 2 of 5`, `${row}: 3 of 5`, `${row}: 4 of 5`, `${row}: 5 of 5, Great`]);
    }
  });
  await checkLayout('scale');

  const rate = (phone, content, delivery) => answer(phone, { values: [content, delivery] }, async () => {
    const pick = (row, v) => phone.getByRole('group', { name: row, exact: true })
      .getByRole('button', { name: new RegExp(`^${row}: ${v} of 5(,|$)`) }).click();
    await pick('Content', content);
    assert.equal(await phone.locator('#send').isDisabled(), true, 'Submit waits for every row');
    assert.match(await status(phone), /Choose a value in every row\./);
    await pick('Delivery', delivery);
    await button(phone, 'Submit').click();
  });
  await rate(phones[0], 4, 5);
  await rate(phones[1], 2, 5);
  await rate(phones[2], 5, 3);
  assert.equal(await button(phones[0], 'Content: 4 of 5').getAttribute('aria-pressed'), 'true');

  const expected = {
    kind: 'scale', respondents: '3', voting: 'Voting open',
    rows: ['A Content | 0 1 0 1 1 | 3.7 4', 'B Delivery | 0 0 1 0 2 | 4.3 5'],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  await phoneShots('scale');
  await projectorShots('scale');

  await closeVoting();
  const onPhones = ['3 answers', 'Content | mean 3.67 · median 4 | 67%', 'Delivery | mean 4.33 · median 5 | 83%'];
  for (const phone of phones) await eventually('results on the phone', () => phoneResults(phone), onPhones);
  await checkLayout('scale results');
  await phoneShots('scale-results');
});

test('scale 0 to 10 with no statements: the prompt is the one row', async () => {
  await goTo(SLIDE.recommend);
  const prompt = 'How likely are you to recommend this talk?';
  await onEveryPhone(prompt, async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Choose from 0 to 10.');
    const names = await phone.getByRole('group', { name: prompt, exact: true }).getByRole('button')
      .evaluateAll((list) => list.map((b) => b.getAttribute('aria-label')));
    assert.deepEqual(names, Array.from({ length: 11 }, (_, v) => `${v} of 10`));
    // Eleven points on a phone: two lines (six and five), every button at least 44 px wide.
    const boxes = await phone.getByRole('group', { name: prompt, exact: true }).getByRole('button')
      .evaluateAll((list) => list.map((b) => { const r = b.getBoundingClientRect(); return { w: r.width, top: Math.round(r.top) }; }));
    const width = phone.viewportSize().width;
    assert.ok(boxes.every((b) => b.w >= 44), `point buttons under 44 px wide at ${width} px: ${JSON.stringify(boxes)}`);
    assert.deepEqual([...new Set(boxes.map((b) => b.top))].map((top) => boxes.filter((b) => b.top === top).length), [6, 5],
      `points per line at ${width} px`);
  });
  await checkLayout('scale without statements');
  const rate = (phone, v) => answer(phone, { values: [v] }, async () => {
    await button(phone, `${v} of 10`).click();
    await button(phone, 'Submit').click();
  });
  await rate(phones[0], 9);
  await rate(phones[1], 10);
  await rate(phones[2], 6);

  const expected = {
    kind: 'scale', respondents: '3', voting: 'Voting open',
    rows: ['| 0 0 0 0 0 0 1 0 0 1 1 | 8.3 9'],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  await phoneShots('scale-no-statements');
  await projectorShots('scale-no-statements');
  await closeVoting();
  assert.equal(await phoneResults(phones[0]), null, 'no results on phones for this question');
});

test('number with min, max and answer: range checked on the phone, answer revealed to the room on R', async () => {
  await goTo(SLIDE.bones);
  await onEveryPhone('How many bones are in an adult human body?', async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Type a number.');
    assert.equal(await text(phone, '#nhint'), 'From 0 to 1000.');
  });
  await checkLayout('number');
  const field = (phone) => phone.getByRole('spinbutton', { name: 'Your answer', exact: true });

  await answer(phones[0], { number: 206 }, async () => {
    await field(phones[0]).fill('2000');
    await eventually('out of range on the phone', () => text(phones[0], '#nhint'), 'From 0 to 1000.');
    assert.equal(await field(phones[0]).getAttribute('aria-invalid'), 'true');
    assert.equal(await phones[0].locator('#send').isDisabled(), true, 'Submit refuses an answer out of range');
    await field(phones[0]).fill('206');
    await button(phones[0], 'Submit').click();
  });
  await answer(phones[1], { number: 150.5 }, async () => {
    await field(phones[1]).fill('150.5');
    await field(phones[1]).press('Enter');
  });
  await answer(phones[2], { number: 480 }, async () => {
    await field(phones[2]).fill('480');
    await button(phones[2], 'Submit').click();
  });
  await checkLayout('number, answered');

  // Ten even bins of 100 over min..max; the answer (206) is in the third.
  const plain = ['0 – 100 | 0 0% | 0%', '100 – 200 | 1 33% | 100%', '200 – 300 | 1 33% | 100%',
    '300 – 400 | 0 0% | 0%', '400 – 500 | 1 33% | 100%', '500 – 600 | 0 0% | 0%', '600 – 700 | 0 0% | 0%',
    '700 – 800 | 0 0% | 0%', '800 – 900 | 0 0% | 0%', '900 – 1,000 | 0 0% | 0%'];
  const withTick = (rows) => rows.map((row, i) => (i === 2 ? `✓ ${row}` : row));
  // The presenter always sees the answer, marked as not shown to the room.
  await eventually('presenter results', () => results(presenter), {
    kind: 'number', respondents: '3', voting: 'Voting open', rows: withTick(plain),
    figures: ['Mean 279', 'Median 206', 'Answer 206 Not shown to the room'], answerRow: 2,
  });
  const hidden = { kind: 'number', respondents: '3', voting: 'Voting open', rows: plain, figures: ['Mean 279', 'Median 206'], answerRow: -1 };
  await eventually('projector results without the answer', () => results(projector), hidden);
  assert.equal(await text(presenter, '#reveal-toggle'), 'Reveal answer');
  await shot(presenter, 'presenter-number-1280x800');
  await phoneShots('number');
  await projectorShots('number');

  // Closing voting shows the results on phones, without the answer until it is revealed.
  await closeVoting();
  const phoneBins = ['0 to 100 | 0 | 0%', '100 to 200 | 1 | 33%', '200 to 300 | 1 | 33%', '300 to 400 | 0 | 0%', '400 to 500 | 1 | 33%',
    '500 to 600 | 0 | 0%', '600 to 700 | 0 | 0%', '700 to 800 | 0 | 0%', '800 to 900 | 0 | 0%', '900 to 1000 | 0 | 0%'];
  const onPhones = ['3 answers', 'Mean 278.83 · median 206', ...phoneBins];
  for (const phone of phones) await eventually('results on the phone', () => phoneResults(phone), onPhones);
  // Nothing is revealed before R, so waiting for the closed projector also shows closing revealed nothing.
  await eventually('closing voting reveals nothing on the projector', () => results(projector), { ...hidden, voting: 'Voting closed' });
  await phoneShots('number-results');

  // R reveals it to the room (projector and phones); the button says what a second press does.
  await presenter.keyboard.press('r');
  await eventually('projector results with the answer', () => results(projector), {
    kind: 'number', respondents: '3', voting: 'Voting closed', rows: withTick(plain),
    figures: ['Mean 279', 'Median 206', 'Answer 206'], answerRow: 2,
  });
  await eventually('presenter no longer says hidden', async () => (await results(presenter)).figures,
    ['Mean 279', 'Median 206', 'Answer 206']);
  await eventually('reveal button', () => text(presenter, '#reveal-toggle'), 'Hide answer');
  const revealed = ['3 answers', 'Mean 278.83 · median 206', 'Answer: 206', ...phoneBins];
  for (const phone of phones) await eventually('the answer on the phone', () => phoneResults(phone), revealed);
  await checkLayout('number results');
  await phoneShots('number-revealed');
  await projectorShots('number-revealed');
  // And the button hides it again.
  await presenter.locator('#reveal-toggle').click();
  await eventually('projector hides the answer again', async () => (await results(projector)).figures, ['Mean 279', 'Median 206']);
  await eventually('phones hide the answer again', () => phoneResults(phones[0]), onPhones);
});

test('ranking: items move with named buttons; results in Borda order on every screen', async () => {
  await goTo(SLIDE.release);
  const order = (phone) => phone.locator('ol.rk > li').evaluateAll((items) =>
    items.map((li) => `${li.querySelector('.b').textContent}. ${li.querySelector('.t').textContent}`));
  await onEveryPhone('Rank these for the next release', async (phone) => {
    assert.deepEqual(await order(phone), ['1. Alpha', '2. Beta', '3. Gamma', '4. Delta']);
    assert.equal(await button(phone, 'Move Alpha up').isDisabled(), true, 'the top item cannot go up');
    assert.equal(await button(phone, 'Move Delta down').isDisabled(), true, 'the last item cannot go down');
  });
  await checkLayout('ranking');

  await answer(phones[0], { order: [2, 0, 1, 3] }, async () => {
    await button(phones[0], 'Move Gamma up').click();
    await button(phones[0], 'Move Gamma up').click();
    assert.deepEqual(await order(phones[0]), ['1. Gamma', '2. Alpha', '3. Beta', '4. Delta']);
    // At the top its up button is disabled: the focus stays on the item, on its other button.
    assert.equal(await phones[0].evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move Gamma down');
    assert.equal(await text(phones[0], '#status'), 'Gamma: now 1 of 4. Not sent yet. Tap Submit to send your answer.');
    await button(phones[0], 'Submit').click();
  });
  await answer(phones[1], { order: [1, 0, 2, 3] }, async () => {
    await button(phones[1], 'Move Beta up').click();
    await button(phones[1], 'Submit').click();
  });
  await answer(phones[2], { order: [3, 2, 0, 1] }, async () => {
    for (let i = 0; i < 3; i++) await button(phones[2], 'Move Delta up').click();
    for (let i = 0; i < 2; i++) await button(phones[2], 'Move Gamma up').click();
    assert.deepEqual(await order(phones[2]), ['1. Delta', '2. Gamma', '3. Alpha', '4. Beta']);
    await button(phones[2], 'Submit').click();
  });

  // Borda, 3-2-1-0 points by place: Gamma 3+1+2, Alpha 2+2+1, Beta 1+3+0, Delta 0+0+3; at most 3 × 3 = 9.
  const expected = {
    kind: 'ranking', respondents: '3', voting: 'Voting open',
    rows: ['1 C Gamma | 6 pts | 66.7%', '2 A Alpha | 5 pts | 55.6%', '3 B Beta | 4 pts | 44.4%', '4 D Delta | 3 pts | 33.3%'],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  await phoneShots('ranking');
  await projectorShots('ranking');

  await closeVoting();
  const onPhones = ['3 answers', '1. Gamma | score 6 | 67%', '2. Alpha | score 5 | 56%', '3. Beta | score 4 | 44%', '4. Delta | score 3 | 33%'];
  for (const phone of phones) await eventually('results on the phone', () => phoneResults(phone), onPhones);
  // The phone shows its own stored order again, with the buttons disabled.
  assert.deepEqual(await order(phones[0]), ['1. Gamma', '2. Alpha', '3. Beta', '4. Delta']);
  assert.equal(await button(phones[0], 'Move Alpha up').isDisabled(), true);
  await checkLayout('ranking results');
  await phoneShots('ranking-results');
});

test('points out of 100: typed and stepped, counted down on the phone, means on the projector', async () => {
  await goTo(SLIDE.budget);
  const field = (phone, name) => phone.getByRole('spinbutton', { name, exact: true });
  await onEveryPhone('Spread 100 points over where we should spend our time', async (phone) => {
    assert.equal(await text(phone, '#hint'), 'Share 100 points between the options.');
    assert.equal(await text(phone, '#left'), '100 points left');
    assert.equal(await button(phone, '−10 for Speed').isDisabled(), true, 'nothing to take away yet');
  });
  await checkLayout('points');

  await answer(phones[0], { values: [50, 20, 30] }, async () => {
    await field(phones[0], 'Speed').fill('50');
    for (let i = 0; i < 3; i++) await button(phones[0], `+10 for ${DOCS}`).click();
    await field(phones[0], 'New features').fill('20');
    assert.equal(await text(phones[0], '#left'), '0 points left');
    assert.equal(await button(phones[0], '+10 for Speed').isDisabled(), true, 'no points left to add');
    await button(phones[0], 'Submit').click();
  });
  await answer(phones[1], { values: [0, 40, 60] }, async () => {
    for (let i = 0; i < 5; i++) await button(phones[1], '+10 for New features').click();
    await button(phones[1], '−10 for New features').click();
    assert.equal(await field(phones[1], 'New features').inputValue(), '40');
    await field(phones[1], DOCS).fill('60');
    await button(phones[1], 'Submit').click();
  });
  await answer(phones[2], { values: [10, 0, 5] }, async () => {
    await field(phones[2], 'Speed').fill('150');
    assert.equal(await text(phones[2], '#left'), '50 points too many');
    assert.match(await status(phones[2]), /Use at most 100 points\./);
    assert.equal(await phones[2].locator('#send').isDisabled(), true, 'Submit refuses too many points');
    await field(phones[2], 'Speed').fill('10');
    await field(phones[2], DOCS).fill('5');
    assert.equal(await text(phones[2], '#left'), '85 points left');
    await button(phones[2], 'Submit').click();
  });
  await checkLayout('points, answered');

  // Means per respondent: Speed 60/3, New features 60/3, Docs 95/3; bars against the 100 each person had.
  const expected = {
    kind: 'points', respondents: '3', voting: 'Voting open',
    rows: ['A Speed | 20.0 pts avg | 20%', 'B New features | 20.0 pts avg | 20%', `C ${DOCS} | 31.7 pts avg | 31.7%`],
  };
  await eventually('presenter results', () => results(presenter), expected);
  await eventually('projector results', () => results(projector), expected);
  await phoneShots('points');
  await projectorShots('points');

  await closeVoting();
  const onPhones = ['3 answers', 'Speed | mean 20 | 63%', 'New features | mean 20 | 63%', `${DOCS} | mean 31.67 | 100%`];
  for (const phone of phones) await eventually('results on the phone', () => phoneResults(phone), onPhones);
  assert.equal(await text(phones[0], '#left'), '', 'no points counter once voting is closed');
  await checkLayout('points results');
  await phoneShots('points-results');
});

test('time=5: phones count down, the server closes voting at zero, and a late vote is refused', { timeout: 60_000 }, async () => {
  const [early, late] = [phones[0], phones[1]];
  // Every text the phone's countdown shows, in order.
  await early.evaluate(() => {
    window.clockSeen = [];
    const clock = document.getElementById('clock');
    new MutationObserver(() => window.clockSeen.push(clock.textContent)).observe(clock, { childList: true, characterData: true, subtree: true });
  });
  await goTo(SLIDE.quick);
  await onEveryPhone('Quick: is it Friday?');
  await eventually('a countdown on the phone', async () => /^0:0[1-5] left$/.test(await text(early, '#clock')), true);
  await eventually('a countdown on the presenter', async () => /^0:0[1-5]$/.test(await text(presenter, '#status-timer')), true);
  await eventually('a countdown on the projector', async () => /^0:0[1-5]$/.test(await text(projector, '#countdown-value')), true);
  await shot(projector, 'projector-timer-running-1920x1080');
  await answer(early, { choices: [0] }, () => button(early, 'Yes').click());
  await checkLayout('timer');
  await phoneShots('timer');

  // Closed by the timer, so the phones say why.
  await eventually('voting closed on the phone', () => text(late, '#hint'), "Time's up. Voting is closed.", 8_000);
  await eventually('voting closed on the other phone', () => text(early, '#hint'), "Time's up. Voting is closed.");
  assert.equal(await status(early), "Time's up. Voting is closed.");
  // The countdown went down a second at a time, and went away once voting closed.
  const seen = (await early.evaluate(() => window.clockSeen)).filter((t, i, all) => t !== all[i - 1]);
  const seconds = seen.filter((t) => t.endsWith(' left')).map((t) => Number(/^0:(\d\d) left$/.exec(t)?.[1]));
  assert.ok(seconds.length >= 3 && seconds.every((s, i) => s === seconds[0] - i) && seconds.at(-1) === 1,
    `the phone counted down by seconds to 0:01: ${JSON.stringify(seen)}`);
  assert.equal(seen.at(-1), '', `the countdown is gone once voting closed: ${JSON.stringify(seen)}`);
  assert.equal(await early.locator('#clock').isVisible(), false);
  assert.equal(await button(late, 'No').isDisabled(), true, 'the options are disabled at zero');
  await eventually('voting closed on the presenter', () => text(presenter, '#voting-status'), 'Voting closed');
  await eventually('no timer on the presenter', () => text(presenter, '#status-timer'), 'Off');

  // The server closed it by its own clock: the closing state came at the deadline it had announced.
  const states = late.gate.frames.filter((f) => f.frame && f.frame.type === 'state' && f.frame.question?.id === 'quick');
  const deadline = states.find((f) => Number.isFinite(f.frame.deadline))?.frame.deadline;
  const closed = states.find((f) => f.frame.voting === 'closed');
  assert.ok(deadline && closed, `a deadline and then a closing state: ${JSON.stringify(states.map((f) => f.frame))}`);
  assert.equal(closed.frame.deadline, null, 'the closing state has no deadline');
  assert.ok(closed.at >= deadline - 250, `voting closed ${deadline - closed.at} ms before the deadline`);
  assert.ok(closed.at <= deadline + 2000, `voting closed ${closed.at - deadline} ms after the deadline`);

  // A vote sent anyway (the page's buttons are disabled, so straight down its socket) is refused.
  late.gate.send({ type: 'vote', request: 'late-1', question: 'quick', answer: { choices: [1] } });
  await eventually('the late vote is refused', () => late.gate.frames.filter((f) => f.frame?.request === 'late-1')
    .map((f) => [f.frame.type, f.frame.code]), [['error', 'voting_closed']]);
  await sleep(200);
  const expected = { kind: 'choice', respondents: '1', voting: 'Voting closed', rows: ['A Yes | 1 100% | 100%', 'B No | 0 0% | 0%'] };
  await eventually('only the vote in time counts', () => results(presenter), expected);
  assert.match(await status(late), /^Time's up\. Voting is closed\./);
  assert.equal(await late.getByText(/Saved/).count(), 0, 'the late phone never says saved');
  await phoneShots('timer-closed');
  await projectorShots('timer-closed');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
