// A quiz in a real browser against `handsup serve`: three phones (one 320 px wide) pick nicknames
// (one tries a name already taken), answer two choice questions and a typed one, right and wrong,
// fast and slow, while seven socket players with hostile nicknames play along. The projector
// shows a large countdown and no spread of answers until the presenter reveals; then the right
// option, marked in words. Each phone gets its result card (right or wrong, points, total,
// rank); a second answer is refused. The leaderboard ranks everyone by points, and the podium
// reveals third, second, then first. Nicknames are drawn as text, never as markup.
// Screenshots go to target/test-screenshots/quiz-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  cleanUp, eventually, injectionPayloads, launchChromium, phoneLayout, shots,
  sleep, smallText, Socket, origin, startOnDeck, text, onWholePage, openWatchedPage } from './lib.mjs';

const DECK = `---
title: Quiz night
---

# Quiz night

Join on your phone and pick a name.

---

<!-- question: quiz time=20 id=planet -->
# Which planet is the largest?

- [ ] Mars
- [x] Jupiter
- [ ] Venus

---

<!-- question: quiz time=20 points=500 id=ocean -->
# Which is the largest ocean?

- [x] Pacific
- [ ] Atlantic
- [ ] Indian
- [ ] Arctic

---

<!-- question: quiz-text answer="Paris|Paris, France" id=capital -->
# What is the capital of France?

---

<!-- leaderboard -->
# Leaderboard

---

<!-- podium -->
# Winners
`;
const SLIDES = 6;
const SLIDE = { planet: 1, ocean: 2, capital: 3, leaderboard: 4, podium: 5 };

// Who answers what. Right answers are worth 500 to 1,000 points (500 to 250 for the ocean),
// more the sooner they come; everyone answers within a few seconds, so the ranking below holds
// whatever the milliseconds: Ada about 2,400, Grace about 1,900, the third phone about 1,450,
// the first two socket players about 950, the next two about 490, the last three nothing.
// The phones: Ada on the 320 px phone, Grace, and one whose nickname is markup.
const HOSTILE = '<svg onload=alert()>';
const PHONES = [
  { name: 'Ada', size: { width: 320, height: 640 }, planet: 'Jupiter', ocean: 'Pacific', capital: 'paris, france' },
  { name: 'Grace', size: { width: 390, height: 844 }, planet: 'Jupiter', ocean: 'Atlantic', capital: 'Paris' },
  { name: HOSTILE, size: { width: 360, height: 740 }, planet: 'Mars', ocean: 'Pacific', capital: ' PARIS ' },
];
// Socket players: [planet, ocean, capital] (option indices, typed text).
const BOTS = [[1, 1, 'Lyon'], [1, 2, 'Nice'], [0, 0, 'Lyon'], [2, 0, 'Marseille'], [0, 3, 'Paris, Texas'], [2, 1, 'Rome'], [0, 2, 'London']];
// Their nicknames, the first the server takes for each: short markup (a nickname has at most 20
// characters), twenty wide letters, and the shared payloads that fit.
const NICKNAMES = ['<script>x</script>', '<b>bold</b>&amp;', '\'"><img src=x>', 'M'.repeat(20),
  '<i onclick=x>Bo</i>', ...injectionPayloads(20)];

let server;
let browser;
let presenter;
let projector;
// phones[0] is the cheap one: 320×640. Each has `.gate` (see routeSocket in lib.mjs) and `.nickname`.
const phones = [];
const bots = [];
let desk;
const pageErrors = [];
const dialogs = [];

// ---- Pages ----

const openPage = (url, contextOptions, { gate = false } = {}) =>
  openWatchedPage(browser, url, contextOptions, { gate, xss: true, pageErrors, dialogs });

const button = (page, name) => page.getByRole('button', { name, exact: true });
const shot = (page, name) => page.screenshot({ path: path.join(shots, `quiz-${name}.png`), animations: 'disabled' });
const number = (n) => new Intl.NumberFormat('en-US').format(n);
const nth = (n) => `${n}${(n % 100 >= 11 && n % 100 <= 13) ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th'}`;

// Moves the presenter to a slide with the arrow keys a clicker sends.
async function goTo(index) {
  for (;;) {
    const [at] = (await text(presenter, '#slide-number')).split(' / ').map(Number);
    if (at === index + 1) break;
    await presenter.keyboard.press(at < index + 1 ? 'ArrowRight' : 'ArrowLeft');
    await eventually('slide number after a key', async () => (await text(presenter, '#slide-number')) !== `${at} / ${SLIDES}`, true);
  }
}

// What a phone shows, in words.
function phoneView(phone) {
  return phone.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    const t = (id) => $(id).textContent.trim();
    return {
      prompt: t('h'), hint: t('hint'), naming: $('nf').checkVisibility(), error: t('ne'),
      clock: $('bar').checkVisibility() ? t('clock') : '', status: t('status'),
      card: $('rc').checkVisibility() ? [t('rv'), t('rg'), t('rt')] : null,
    };
  });
}

// The option buttons of a phone: name and whether it can still be tapped.
const phoneOptions = (phone) => phone.locator('#opts button').evaluateAll((list) =>
  list.filter((b) => b.checkVisibility()).map((b) => `${b.querySelector('.t').textContent}${b.disabled ? ' (disabled)' : ''}`));

// Each option on a phone: its text, whether it is the one tapped, and whether it has a tick.
const phoneMarks = (phone) => phone.locator('#opts button').evaluateAll((list) => list.map((b) =>
  [b.querySelector('.t').textContent, b.getAttribute('aria-pressed') === 'true', getComputedStyle(b.querySelector('.c')).visibility === 'visible']));

// No control under 48 px tall, and nothing wider than the screen.
async function checkPhone(phone, what) {
  const { small, overflow } = await phoneLayout(phone);
  const width = phone.viewportSize().width;
  assert.deepEqual(small, [], `${what}: touch targets under 48 px tall at ${width} px`);
  assert.equal(overflow, 0, `${what}: the page scrolls sideways at ${width} px`);
  // Text that runs out of its box, such as a long nickname in the result card.
  const sticking = await phone.evaluate(() => [...document.querySelectorAll('main *, footer *')]
    .filter((el) => el.checkVisibility() && !el.classList.contains('sr') && getComputedStyle(el).display !== 'inline'
      && el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.id || el.tagName}: ${el.textContent.slice(0, 40)}`));
  assert.deepEqual(sticking, [], `${what}: text wider than its box at ${width} px`);
}

// The phone, the whole page as someone would scroll through it (see kinds.test.mjs).
async function phoneShot(phone, name, { dark = false } = {}) {
  await onWholePage(phone, async (size) => {
    await shot(phone, `phone-${name}-${size.width}`);
    if (dark) {
      await phone.emulateMedia({ colorScheme: 'dark' });
      await shot(phone, `phone-${name}-${size.width}-dark`);
    }
  });
}

// What is wrong with the stage as drawn: the page scrolls, something visible sticks out of the
// stage, text runs out of its box, or standings rows and podium places overlap.
function stageProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1 || root.scrollHeight > root.clientHeight + 1) problems.push('the page scrolls');
    const stage = document.getElementById('stage');
    const s = stage.getBoundingClientRect();
    const name = (el) => `${el.className} «${el.textContent.trim().slice(0, 30)}»`;
    const shown = (selector) => [...stage.querySelectorAll(selector)].filter((el) => el.checkVisibility());
    for (const el of shown('.slide > *, .results, .summary, .view, .quiz-wait > *, .quiz-reveal > *, .bars li, .lb-row, .podium-place, .standings-foot, .join')) {
      const r = el.getBoundingClientRect();
      if (r.left < s.left - 1 || r.top < s.top - 1 || r.right > s.right + 1 || r.bottom > s.bottom + 1) problems.push(`off the stage: ${name(el)}`);
    }
    for (const el of shown('.slide h1, .bars .label, .verdict, .lb-row > *, .podium-name, .podium-points, .quiz-clock-value, .quiz-answered-value')) {
      // Downwards only where the box clips, by a line or more: glyphs reach a little past a tight line height.
      const style = getComputedStyle(el);
      const clipped = style.overflow !== 'visible' && el.scrollHeight > el.clientHeight + parseFloat(style.fontSize) / 2;
      if (el.scrollWidth > el.clientWidth + 1 || clipped) problems.push(`cut off: ${name(el)}`);
    }
    const boxes = shown('.lb-row, .podium-who, .podium-step, .join').map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [p, q] = [boxes[i][1], boxes[j][1]];
        if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1) {
          problems.push(`overlap: ${name(boxes[i][0])} and ${name(boxes[j][0])}`);
        }
      }
    }
    return problems;
  });
}

// Waits for the bars, the podium's names and the like to finish moving.
async function settle(page) {
  await sleep(100);
  await eventually('animations finished', () => page.evaluate(() => document.getAnimations()
    .filter((a) => a.playState === 'running').length), 0);
}

// The projector at 1920×1080 and 1280×720: nothing under 28 px (at 1920 wide), nothing cut off.
async function projectorShots(name, { sizes = [[1920, 1080], [1280, 720]] } = {}) {
  for (const [width, height] of sizes) {
    await projector.setViewportSize({ width, height });
    await settle(projector);
    // Taken first, so that a failure below can be looked at.
    await shot(projector, `projector-${name}-${width}x${height}`);
    assert.deepEqual(await smallText(projector, '#stage', (28 * width) / 1920), [],
      `${name}: text under 28 px (at 1920 wide) on the projector at ${width}×${height}`);
    assert.deepEqual(await stageProblems(projector), [], `${name}: the stage at ${width}×${height}`);
  }
  await projector.setViewportSize({ width: 1920, height: 1080 });
}

// The quiz view on a stage: the countdown and count before the reveal, the spread after it.
function quizView(page) {
  return page.evaluate(() => {
    const view = document.getElementById('bars');
    const t = (el, sel) => (el.querySelector(sel)?.textContent ?? '').trim();
    const shown = (el) => !!el && el.checkVisibility();
    const wait = view.querySelector('.quiz-wait');
    const out = {
      waiting: shown(wait),
      clock: shown(wait) ? [t(wait, '.quiz-clock-label'), t(wait, '.quiz-clock-value')].filter(Boolean) : null,
      answered: shown(wait) ? `${t(wait, '.quiz-answered-value')} ${t(wait, '.quiz-answered-word')}` : null,
      // Every bar row on screen, and every percentage anywhere on the stage.
      rows: [...view.querySelectorAll('.bars li')].filter(shown).map((li) => [t(li, '.badge'), t(li, '.label'), t(li, '.verdict'),
        `${t(li, '.count')} ${t(li, '.pct')}`].filter(Boolean).join(' | ')),
      percentages: (document.getElementById('stage').innerText.match(/\d+\s?%/g) || []),
    };
    const right = view.querySelector('.quiz-right');
    if (shown(right)) out.right = right.textContent.trim();
    const accepted = view.querySelector('.quiz-accepted');
    if (shown(accepted)) out.accepted = accepted.textContent.trim();
    return out;
  });
}

// ---- The presenter and socket players: every frame the server sends them ----


// A player without a browser, named with the first of `names` the server takes.
async function botPlayer(id, names) {
  const bot = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
  await bot.opened;
  bot.send({ type: 'hello', participant: id });
  await eventually('the bot\'s first state', () => !!bot.last('state'), true);
  while (names.length) {
    const wanted = names.shift();
    const reply = await bot.request({ type: 'name', nickname: wanted }, ['nickname']);
    if (reply.type === 'nickname') {
      bot.nickname = reply.nickname;
      bot.tried = wanted;
      return bot;
    }
    assert.ok(['nickname_taken', 'nickname_refused', 'bad_nickname'].includes(reply.code), `${wanted}: ${JSON.stringify(reply)}`);
  }
  throw new Error('no nickname left for a bot');
}

async function botsAnswer(question, index) {
  for (const [i, bot] of bots.entries()) {
    const given = BOTS[i][index];
    const answer = typeof given === 'string' ? { text: given } : { choices: [given] };
    const reply = await bot.request({ type: 'vote', question, answer }, ['ack']);
    assert.equal(reply.type, 'ack', `bot ${i} on ${question}: ${JSON.stringify(reply)}`);
    // A little apart, so that their points differ.
    await sleep(100);
  }
}

// The standings as the presenter got them last.
const standings = () => desk.last('state')?.standings ?? null;
const nameOf = (entry) => entry.nickname ?? `Player ${entry.player}`;

// ---- Setup ----

before(async () => {
  server = await startOnDeck('quiz', DECK);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  const url = new URL(server.presenter);
  desk = new Socket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, origin(server.presenter));
  await desk.opened;

  presenter = await openPage(server.presenter, { viewport: { width: 1280, height: 800 } });
  projector = await openPage(`${server.presenter}&view=projector`, { viewport: { width: 1920, height: 1080 } });
  for (const [i, player] of PHONES.entries()) {
    const phone = await openPage(server.participant, { viewport: player.size, hasTouch: true, isMobile: true, deviceScaleFactor: i ? 1 : 2 }, { gate: true });
    phone.player = player;
    phones.push(phone);
  }
  const names = [...NICKNAMES];
  for (let i = 0; i < BOTS.length; i++) bots.push(await botPlayer(`quiz-bot-${i}`, names));
  await eventually('phones on the presenter', async () => Number(await text(presenter, '#participants')), PHONES.length + BOTS.length);
  await eventually('slides on the presenter', () => text(presenter, '#slide-number'), `1 / ${SLIDES}`);
});

after(async () => {
  desk?.ws.terminate();
  for (const bot of bots) bot.ws.terminate();
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

// ---- The quiz ----

// Taps an option (or types and sends) and waits for the phone to say the answer is final.
async function answer(phone, question) {
  const given = phone.player[question];
  if (question === 'capital') {
    await phone.getByLabel('Your answer', { exact: true }).fill(given);
    await button(phone, 'Send').click();
  } else {
    await button(phone, given).click();
  }
  await eventually('the phone says the answer is final', async () => (await phoneView(phone)).status, 'Answer locked in.');
}

// The result card a phone shows, checked against the result frame the server sent it.
async function resultCard(phone, question, right) {
  let result;
  await eventually(`the result of ${question} reached the phone`, () => {
    result = phone.gate.frames.map((f) => f.frame).findLast((f) => f?.type === 'result' && f.question === question);
    return !!result;
  }, true);
  assert.equal(result.answered, true, JSON.stringify(result));
  assert.equal(result.correct, right, `${phone.player.name} on ${question}: ${JSON.stringify(result)}`);
  assert.equal(result.gained > 0, right, `points only for a right answer: ${JSON.stringify(result)}`);
  assert.equal(result.nickname, phone.nickname);
  const card = [right ? '✓ Correct!' : '✗ Wrong', `+${result.gained} points`,
    `Total ${result.points} · rank ${result.rank} of ${result.players} · ${phone.nickname}`];
  await eventually(`${phone.player.name}'s result card`, async () => (await phoneView(phone)).card, card);
  // The nickname is text in the card, whatever it looks like.
  assert.equal(await phone.locator('#rc *').count(), 3, 'the card is three lines of text');
  return result;
}

// Every player's points by nickname, from the standings after a reveal: each phone's total and rank agree.
function checkStandings(results) {
  const top = standings().top;
  assert.equal(standings().players, PHONES.length + BOTS.length);
  for (const [i, result] of results.entries()) {
    const entry = top.find((e) => e.nickname === phones[i].nickname);
    assert.ok(entry, `${phones[i].nickname} in the standings: ${JSON.stringify(top)}`);
    assert.equal(entry.points, result.points, `${phones[i].nickname}'s total`);
    assert.equal(entry.rank, result.rank, `${phones[i].nickname}'s rank`);
    assert.equal(entry.gained, result.gained, `${phones[i].nickname}'s last question`);
    assert.equal(result.rank, 1 + top.filter((e) => e.points > result.points).length, 'a rank counts those ahead');
  }
}

const totals = [0, 0, 0];

const pick = async (phone, name) => {
  await phone.getByLabel('Your name on the leaderboard', { exact: true }).fill(name);
  await button(phone, 'Join the game').click();
};

test('nicknames: asked for while waiting; a taken one is refused in words', async () => {
  const [ada, grace, third] = phones;
  // The deck has a quiz, so the phones ask for a name before there is a question.
  for (const phone of phones) {
    await eventually('the nickname prompt while waiting', async () => {
      const v = await phoneView(phone);
      return [v.prompt, v.naming];
    }, ['Waiting for the next question', true]);
  }
  await checkPhone(ada, 'nickname prompt');
  await phoneShot(ada, 'nickname');

  // Grace first; Ada then tries the same name in capitals, and reads why it was refused.
  await pick(grace, 'Grace');
  await eventually('Grace is in', async () => [(await phoneView(grace)).status, (await phoneView(grace)).naming], ['You play as Grace.', false]);
  await pick(ada, 'GRACE');
  await eventually('the taken name, in words', async () => {
    const v = await phoneView(ada);
    return [v.naming, v.error];
  }, [true, 'Someone already has that name. Try another one.']);
  assert.equal(await ada.getByRole('alert').textContent(), 'Someone already has that name. Try another one.');
  await checkPhone(ada, 'nickname taken');
  await phoneShot(ada, 'nickname-taken');
  await pick(ada, 'Ada');
  await eventually('Ada is in', async () => [(await phoneView(ada)).status, (await phoneView(ada)).error], ['You play as Ada.', '']);
  ada.nickname = 'Ada';
  grace.nickname = 'Grace';
  // The third phone looks away and picks no name yet.
  assert.equal((await phoneView(third)).naming, true);
});

test('first question: a name before the options, a countdown and no spread until the reveal, one final answer', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.planet);
  const [ada, grace, third] = phones;
  for (const phone of [ada, grace]) {
    await eventually('the options', () => phoneOptions(phone), ['Mars', 'Jupiter', 'Venus']);
    assert.equal((await phoneView(phone)).hint, 'Tap your answer. It cannot be changed.');
  }
  // Without a name, the question waits for one.
  await eventually('the nickname prompt at the question', async () => {
    const v = await phoneView(third);
    return [v.prompt, v.hint, v.naming];
  }, ['Which planet is the largest?', 'Choose a name for the leaderboard first.', true]);
  assert.deepEqual(await phoneOptions(third), [], 'no options before a name');
  await pick(third, HOSTILE);
  await eventually('the third phone has its name', async () => (await phoneView(third)).status, `You play as ${HOSTILE}.`);
  third.nickname = HOSTILE;
  await eventually('the options after the name', () => phoneOptions(third), ['Mars', 'Jupiter', 'Venus']);

  // The countdown, on the projector and the phones; the room sees how many answered, not what.
  await eventually('the countdown on the projector', async () => {
    const v = await quizView(projector);
    return [v.waiting, v.clock?.[0], /^0:(1\d|20)$/.test(v.clock?.[1]), v.answered];
  }, [true, 'Time left', true, '0 answered']);
  for (const phone of phones) {
    await eventually('the countdown on the phone', async () => /^0:(1\d|20) left$/.test((await phoneView(phone)).clock), true);
  }
  await checkPhone(ada, 'quiz question');
  await phoneShot(ada, 'question');

  // Ada first and right; a second answer is impossible on the page and refused by the server.
  await answer(ada, 'planet');
  assert.deepEqual(await phoneOptions(ada), ['Mars (disabled)', 'Jupiter (disabled)', 'Venus (disabled)']);
  assert.deepEqual(await phoneMarks(ada), [['Mars', false, false], ['Jupiter', true, true], ['Venus', false, false]], 'the tick on the tapped answer');
  await checkPhone(ada, 'locked in');
  await phoneShot(ada, 'locked');
  ada.gate.send({ type: 'vote', request: 'again-1', question: 'planet', answer: { choices: [0] } });
  await eventually('the second answer is refused', () => ada.gate.frames.filter((f) => f.frame?.request === 'again-1')
    .map((f) => [f.frame.type, f.frame.code]), [['error', 'already_answered']]);
  await eventually('the phone says so', async () => (await phoneView(ada)).status, 'You already answered.');
  assert.deepEqual(await phoneOptions(ada), ['Mars (disabled)', 'Jupiter (disabled)', 'Venus (disabled)']);

  await sleep(400);
  await answer(grace, 'planet');
  await eventually('two answered on the projector', async () => (await quizView(projector)).answered, '2 answered');
  const before = await quizView(projector);
  assert.deepEqual([before.rows, before.percentages], [[], []], 'no spread of answers on the projector before the reveal');
  await projectorShots('countdown');
  // The speaker sees the spread all along, the right option marked as not shown to the room yet.
  await eventually('the presenter\'s spread', async () => (await quizView(presenter)).rows,
    ['A | Mars | 0 0%', 'B | Jupiter | ✓ Correct | 2 100%', 'C | Venus | 0 0%']);

  // The rest answer; with every phone in, voting closes before the time is up.
  await sleep(400);
  await answer(third, 'planet');
  await botsAnswer('planet', 0);
  await eventually('voting closed early on the presenter', () => text(presenter, '#voting-status'), 'Voting closed');
  await eventually('the projector says so', async () => {
    const v = await quizView(projector);
    return [v.clock, v.answered, v.rows, v.percentages];
  }, [['Voting closed'], '10 answered', [], []]);
  await eventually('the phones say so', async () => (await phoneView(grace)).hint, 'Voting is closed.');
  assert.equal((await phoneView(grace)).clock, '', 'no countdown once voting closed');
  await projectorShots('closed', { sizes: [[1920, 1080]] });

  // R reveals: the spread, the right option ticked and named "Correct".
  await presenter.keyboard.press('r');
  await eventually('the reveal on the projector', async () => {
    const v = await quizView(projector);
    return [v.waiting, v.rows, v.right];
  }, [false, ['A | Mars | 4 40%', 'B | Jupiter | ✓ Correct | 4 40%', 'C | Venus | 2 20%'], '4 of 10 answered right · 40%']);
  await projectorShots('reveal');
  for (const phone of phones) await eventually('the answer on the phone', async () => (await phoneView(phone)).hint, 'Answer: Jupiter');
  const results = [];
  for (const [i, phone] of phones.entries()) {
    const result = await resultCard(phone, 'planet', phone.player.planet === 'Jupiter');
    totals[i] += result.gained;
    assert.equal(result.points, totals[i]);
    results.push(result);
  }
  await eventually('the standings after the reveal', () => !!standings()?.top?.length, true);
  checkStandings(results);
  // Ada answered first: the most points.
  assert.ok(results[0].gained > results[1].gained && results[1].gained > 0, JSON.stringify(results));
  assert.equal(results[0].rank, 1);
  await checkPhone(ada, 'result');
  await phoneShot(ada, 'result', { dark: true });
  // Once revealed, the tick is on the right answer; the tapped one stays highlighted.
  assert.deepEqual(await phoneMarks(third), [['Mars', true, false], ['Jupiter', false, true], ['Venus', false, false]], 'the tick on the right answer');
  assert.deepEqual(await phoneMarks(ada), [['Mars', false, false], ['Jupiter', true, true], ['Venus', false, false]]);
  await checkPhone(third, 'wrong, with a hostile nickname');
  await phoneShot(third, 'wrong');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('second question: a wrong answer gets nothing, a late tap is refused', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.ocean);
  const [ada, grace, third] = phones;
  for (const phone of phones) {
    await eventually('the question, without asking for a name again', () => phoneOptions(phone), ['Pacific', 'Atlantic', 'Indian', 'Arctic']);
    assert.equal((await phoneView(phone)).card, null, 'the last result card is gone');
  }
  await eventually('the countdown on the projector', async () => (await quizView(projector)).clock?.[0], 'Time left');
  await answer(ada, 'ocean');
  await sleep(300);
  await answer(grace, 'ocean');
  await answer(third, 'ocean');
  assert.deepEqual((await quizView(projector)).rows, [], 'no spread before the reveal');
  await botsAnswer('ocean', 1);
  await eventually('voting closed early', () => text(presenter, '#voting-status'), 'Voting closed');
  // Voting closed: a tap sent anyway is refused as closed.
  grace.gate.send({ type: 'vote', request: 'late-1', question: 'ocean', answer: { choices: [0] } });
  await eventually('the late answer is refused', () => grace.gate.frames.filter((f) => f.frame?.request === 'late-1')
    .map((f) => f.frame.type), ['error']);

  await presenter.locator('#reveal-toggle').click();
  await eventually('the reveal on the projector', async () => {
    const v = await quizView(projector);
    return [v.rows, v.right];
  }, [['A | Pacific | ✓ Correct | 4 40%', 'B | Atlantic | 3 30%', 'C | Indian | 2 20%', 'D | Arctic | 1 10%'], '4 of 10 answered right · 40%']);
  const results = [];
  for (const [i, phone] of phones.entries()) {
    const result = await resultCard(phone, 'ocean', phone.player.ocean === 'Pacific');
    totals[i] += result.gained;
    assert.equal(result.points, totals[i], `${phone.player.name}'s total adds up`);
    assert.ok(result.gained <= 500, 'this question is worth 500 at most');
    results.push(result);
  }
  await eventually('the standings for this question', () => standings()?.question, 'ocean');
  checkStandings(results);
  await phoneShot(grace, 'wrong-second');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('typed answer: case, commas and spaces do not matter; the accepted answers are shown at the reveal', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.capital);
  const [ada, grace, third] = phones;
  for (const phone of phones) {
    await eventually('the typed question', async () => {
      const v = await phoneView(phone);
      return [v.prompt, v.hint];
    }, ['What is the capital of France?', 'Type your answer. It cannot be changed.']);
  }
  await eventually('the countdown on the projector (30 s by default)', async () => {
    const v = await quizView(projector);
    return [v.clock?.[0], /^0:(2\d|30)$/.test(v.clock?.[1])];
  }, ['Time left', true]);
  await eventually('the countdown on the phone', async () => /^0:(2\d|30) left$/.test((await phoneView(ada)).clock), true);
  await ada.getByLabel('Your answer', { exact: true }).fill(ada.player.capital);
  await checkPhone(ada, 'typed question');
  await phoneShot(ada, 'text-question');
  await button(ada, 'Send').click();
  await eventually('locked in', async () => (await phoneView(ada)).status, 'Answer locked in.');
  assert.equal(await ada.getByLabel('Your answer', { exact: true }).isDisabled(), true, 'the box is shut once sent');
  assert.equal(await ada.locator('#send').isVisible(), false, 'no Send once sent');
  await sleep(300);
  await answer(grace, 'capital');
  await answer(third, 'capital');
  await projectorShots('text-countdown', { sizes: [[1920, 1080]] });
  await botsAnswer('capital', 2);
  await eventually('voting closed early', () => text(presenter, '#voting-status'), 'Voting closed');

  await presenter.keyboard.press('r');
  await eventually('the reveal on the projector', async () => {
    const v = await quizView(projector);
    return [v.rows, v.accepted];
  }, [['✓ | Right | 3 30%', '✗ | Wrong | 7 70%'], 'Accepted Paris · Paris, France']);
  await projectorShots('text-reveal');
  for (const phone of phones) await eventually('the accepted answers on the phone', async () => (await phoneView(phone)).hint, 'Answer: Paris · Paris, France');
  const results = [];
  for (const [i, phone] of phones.entries()) {
    const result = await resultCard(phone, 'capital', true);
    totals[i] += result.gained;
    assert.equal(result.points, totals[i]);
    results.push(result);
  }
  await eventually('the standings for this question', () => standings()?.question, 'capital');
  checkStandings(results);
  assert.deepEqual(results.map((r) => r.rank), [1, 2, 3], 'Ada, Grace, then the third phone');
  await checkPhone(ada, 'typed result');
  await phoneShot(ada, 'text-result');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('leaderboard: every player by points, the highest first; nicknames drawn as text', { timeout: 60_000 }, async () => {
  await goTo(SLIDE.leaderboard);
  await eventually('the standings on the leaderboard slide', () => standings()?.top?.length, PHONES.length + BOTS.length);
  const top = standings().top;
  const rows = (page) => page.locator('#stage .lb-row').evaluateAll((list) => list.filter((li) => li.checkVisibility())
    .map((li) => [...li.children].map((c) => c.textContent)));
  const expected = top.map((e) => [String(e.rank), nameOf(e), number(e.points), `+${number(e.gained)}`]);
  await eventually('the leaderboard on the projector', () => rows(projector), expected);

  // The order: the three phones, then the bots by how many they got right; points never go up.
  const names = top.map(nameOf);
  assert.deepEqual(names.slice(0, 3), phones.map((p) => p.nickname));
  assert.deepEqual(new Set(names.slice(3, 5)), new Set([bots[0].nickname, bots[1].nickname]));
  assert.deepEqual(new Set(names.slice(5, 7)), new Set([bots[2].nickname, bots[3].nickname]));
  assert.deepEqual(new Set(names.slice(7)), new Set(bots.slice(4).map((b) => b.nickname)));
  for (let i = 1; i < top.length; i++) {
    assert.ok(top[i].points <= top[i - 1].points, `descending: ${JSON.stringify(top)}`);
    assert.ok(top[i].points < top[i - 1].points || top[i].rank === top[i - 1].rank, 'ties share a rank');
  }
  assert.ok(top[6].points > 0 && top[7].points === 0, 'points for one right answer, none for none');
  assert.deepEqual(top.slice(7).map((e) => e.rank), [8, 8, 8], 'three without points share 8th place');
  assert.deepEqual(top.slice(0, 3).map((e) => e.points), totals, 'the phones\' totals');
  // Nicknames are text: exactly what the server took, no element inside.
  assert.deepEqual(await projector.locator('#stage .lb-name').evaluateAll((list) => list.map((el) => [el.textContent, el.childElementCount])),
    names.map((n) => [n, 0]));
  assert.equal(await text(projector, '#stage .standings-foot'), '10 players');
  await projectorShots('leaderboard');

  // The speaker's list, with Rename beside each row (never on the projector).
  await eventually('the presenter\'s players', () => presenter.locator('#players .player-name').evaluateAll((list) => list.map((el) => el.textContent)), names);
  assert.equal(await presenter.locator('#players button').count(), 10);
  assert.equal(await projector.locator('#players-pane').isVisible(), false);
  await presenter.screenshot({ path: path.join(shots, 'quiz-presenter-leaderboard-1280x800.png'), animations: 'disabled' });

  // Each phone gets its result again on the leaderboard: its total and rank.
  for (const [i, phone] of phones.entries()) {
    await eventually('the phone\'s standing', async () => (await phoneView(phone)).card?.[2],
      `Total ${totals[i]} · rank ${i + 1} of 10 · ${phone.nickname}`);
  }
  await phoneShot(phones[0], 'leaderboard');
  // A phone back on the leaderboard (a reload) is told its standing again.
  await phones[1].reload();
  await eventually('the standing after a reload', async () => (await phoneView(phones[1])).card,
    [`✓ Correct!`, `+${standings().top[1].gained} points`, `Total ${totals[1]} · rank 2 of 10 · Grace`]);
  for (const page of [presenter, projector, ...phones]) assert.equal(await page.evaluate(() => window.__xss), 0, 'no injected script ran');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});

test('podium: the top three, revealed third, second, then first', { timeout: 60_000 }, async () => {
  // Which places are shown, each time that changes.
  await projector.evaluate(() => {
    window.podiumSeen = [];
    const stage = document.getElementById('stage');
    new MutationObserver(() => {
      const shown = [...stage.querySelectorAll('.podium-place.revealed')].map((p) => p.querySelector('.podium-rank').textContent).sort().join(' ');
      if (window.podiumSeen.at(-1) !== shown) window.podiumSeen.push(shown);
    }).observe(stage, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  });
  await goTo(SLIDE.podium);
  const places = () => projector.locator('#stage .podium-place').evaluateAll((list) => list.map((p) =>
    [p.querySelector('.podium-rank').textContent, p.querySelector('.podium-name').textContent, p.querySelector('.podium-points').textContent,
      p.classList.contains('revealed')]));
  await eventually('the third place first', async () => (await places()).map((p) => p[3]), [false, false, true]);
  await shot(projector, 'projector-podium-third-1920x1080');
  await eventually('all three places', async () => (await places()).map((p) => p[3]), [true, true, true], 5_000);
  const seen = (await projector.evaluate(() => window.podiumSeen)).filter(Boolean);
  assert.deepEqual(seen, ['3rd', '2nd 3rd', '1st 2nd 3rd'], 'revealed third, second, then first');
  // Left to right: second, first, third.
  const top = standings().top;
  assert.deepEqual(await places(), [1, 0, 2].map((i) => [nth(i + 1), phones[i].nickname, `${number(totals[i])} points`, true]));
  assert.deepEqual(top.slice(0, 3).map(nameOf), phones.map((p) => p.nickname));
  assert.deepEqual(await projector.locator('#stage .podium-name').evaluateAll((list) => list.map((el) => el.childElementCount)), [0, 0, 0]);
  await projectorShots('podium');

  // The speaker takes the markup nickname off the screen: it becomes "Player N" everywhere.
  const third = top[2];
  await presenter.getByRole('button', { name: `Rename ${HOSTILE} to Player ${third.player}`, exact: true }).click();
  await eventually('the rename dialog', () => text(presenter, '#rename-text'),
    `“${HOSTILE}” will show as “Player ${third.player}” on the screen and on their phone. Their points stay.`);
  await presenter.locator('#rename-ok').click();
  await eventually('the new name on the podium', async () => (await places())[2][1], `Player ${third.player}`);
  await eventually('and on the phone', async () => (await phoneView(phones[2])).card?.[2], `Total ${totals[2]} · rank 3 of 10 · Player ${third.player}`);

  // The longest names there can be: twenty of the widest letter, and one long word.
  desk.send({ type: 'rename', player: top[0].player, nickname: 'W'.repeat(20) });
  desk.send({ type: 'rename', player: top[1].player, nickname: 'Wolfeschlegelsteinha' });
  await eventually('long names on the podium', async () => (await places()).map((p) => p[1]), ['Wolfeschlegelsteinha', 'W'.repeat(20), `Player ${third.player}`]);
  await projectorShots('podium-long-names');
  await eventually('the longest name on the phone', async () => (await phoneView(phones[0])).card?.[2], `Total ${totals[0]} · rank 1 of 10 · ${'W'.repeat(20)}`);
  await checkPhone(phones[0], 'the longest name in the result card');
  await phoneShot(phones[0], 'podium');
  for (const page of [presenter, projector, ...phones]) assert.equal(await page.evaluate(() => window.__xss), 0, 'no injected script ran');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
