// The phone page against WCAG 2.2 AA in a real browser: axe-core finds nothing in any state a
// phone goes through (connecting, the name prompt, waiting, every question kind open, answered,
// voting closed, results, a quiz result, Q&A, offline, an error), in light and dark; state
// changes reach screen readers through live regions, without a running commentary; the page
// works 320 px wide with the text at 200 %, in landscape, with reduced motion, and from the
// keyboard alone. Screenshots go to target/test-screenshots/phone-a11y-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectNoViolations } from './axe.mjs';
import {
  Socket, TIMEOUT, cleanUp, eventually, launchChromium, onWholePage, origin, pagesFromDisk, phoneLayout, shots, startOnDeck, text,
} from './lib.mjs';

const DECK = `---
title: Accessible phone
nicknames: true
reactions: 👏 ❤️
---

# Welcome

---

<!-- question: single results=phones id=single -->
# Coffee or tea?

- Coffee
- Tea, green or black, with or without milk, at any time of the day

---

<!-- question: multiple max=2 id=multiple -->
# Which two topics?

- Ownership
- Async
- Macros

---

<!-- question: quiz time=300 id=quiz -->
# Which planet is the largest?

- [ ] Mars
- [x] Jupiter

---

<!-- question: scale labels="Poor|Great" results=phones id=scale -->
# How was the talk?

- Content
- Delivery

---

<!-- question: ranking id=ranking -->
# Rank these

- Alpha
- Beta
- Gamma

---

<!-- question: points total=100 id=points -->
# Spread 100 points

- Speed
- Documentation and examples

---

<!-- question: number min=0 max=1000 results=phones id=number -->
# How many bones are in an adult human body?

---

<!-- question: wordcloud max=2 id=words -->
# Two words?

---

<!-- question: open max=2 id=open -->
# Ideas for next time?

---

<!-- leaderboard -->
# Leaderboard
`;
const SLIDE = { welcome: 0, single: 1, multiple: 2, quiz: 3, scale: 4, ranking: 5, points: 6, number: 7, words: 8, open: 9, leaderboard: 10 };

let server;
let browser;
let desk;
// The phone that goes through the session, from the name prompt on.
let phone;
const pageErrors = [];

// The presenter's socket: the test moves the slides and opens and closes voting itself.
async function presenterSocket() {
  const url = new URL(server.presenter);
  const socket = new Socket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, origin(server.presenter));
  await socket.opened;
  return socket;
}

// A phone as the room has it: its own context (so its own participant), pages from disk when
// asked, and `bypassCSP` so that axe can be injected.
async function openPhone(options = {}, beforeOpen = async () => {}) {
  const context = await browser.newContext({ locale: 'en-US', bypassCSP: true, viewport: { width: 390, height: 844 }, hasTouch: true, ...options });
  await pagesFromDisk(context);
  await beforeOpen(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(server.participant);
  return page;
}

async function goTo(slide, prompt) {
  desk.send({ type: 'goto', slide });
  if (prompt) await eventually(`slide ${slide} on the phone`, () => text(phone, '#h'), prompt);
}

// axe in light and in dark, the colour scheme put back afterwards.
async function axeBoth(page, what) {
  try {
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await expectNoViolations(page, `${what} (${colorScheme})`);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

// Everything the live regions said, in order, as a screen reader hears them: each region's text
// each time it changes to something.
function listen(page) {
  return page.evaluate(() => {
    window.heard = [];
    const regions = [...document.querySelectorAll('[aria-live], [role=status], [role=alert]')];
    const observer = new MutationObserver(() => {
      for (const region of regions) {
        const said = region.textContent.trim();
        if (said && region.dataset.said !== said) window.heard.push(said);
        region.dataset.said = said;
      }
    });
    for (const region of regions) {
      region.dataset.said = region.textContent.trim();
      observer.observe(region, { childList: true, characterData: true, subtree: true });
    }
  });
}
const heard = (page) => page.evaluate(() => window.heard);

before(async () => {
  server = await startOnDeck('phone-a11y', DECK);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
  desk = await presenterSocket();
});

after(async () => {
  desk?.ws.terminate();
  await cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

test('connecting: the page before the server answers', async () => {
  // A socket that opens and never answers: the page stays on "Connecting…".
  const waiting = await openPhone({}, (context) => context.routeWebSocket(/\/ws$/, () => {}));
  await eventually('connecting', () => text(waiting, '#h'), 'Connecting…');
  await axeBoth(waiting, 'connecting');
  await waiting.context().close();
});

test('the name prompt, then waiting for the next question', async () => {
  phone = await openPhone();
  await eventually('the name prompt', () => phone.locator('#nf').isVisible(), true);
  await axeBoth(phone, 'name prompt');
  // A name someone else has: the refusal is an alert, and the field says it is wrong.
  const other = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
  await other.opened;
  other.send({ type: 'hello', participant: 'someone-else-1' });
  assert.equal((await other.request({ type: 'name', nickname: 'Ada' }, ['nickname'])).type, 'nickname');
  other.ws.close();
  await phone.getByLabel('Your name on the leaderboard', { exact: true }).fill('Ada');
  await phone.keyboard.press('Enter');
  await eventually('the refusal', () => text(phone, '[role=alert]'), 'Someone already has that name. Try another one.');
  await axeBoth(phone, 'name refused');
  await phone.getByLabel('Your name on the leaderboard', { exact: true }).fill('Grace');
  await phone.keyboard.press('Enter');
  await eventually('the name taken', () => text(phone, '#status'), 'You play as Grace.');
  await eventually('waiting', () => text(phone, '#h'), 'Waiting for the next question');
  await axeBoth(phone, 'waiting');
});

test('every question kind open, answered, closed and with its results', async () => {
  await listen(phone);
  await goTo(SLIDE.single, 'Coffee or tea?');
  await axeBoth(phone, 'single choice open');
  await phone.getByRole('button', { name: 'Coffee', exact: true }).click();
  await eventually('saved', async () => (await text(phone, '#status')).startsWith('Saved.'), true);
  await axeBoth(phone, 'single choice answered');
  desk.send({ type: 'close_voting' });
  await eventually('closed', async () => (await text(phone, '#status')).startsWith('Voting is closed.'), true);
  await eventually('results on the phone', () => phone.locator('#res').isVisible(), true);
  await axeBoth(phone, 'voting closed, results on the phone');
  // A screen reader heard the question arrive, the answer saved and voting closed, and each once.
  const said = await heard(phone);
  for (const line of ['New question: Coffee or tea?', 'Saved. You can change your answer until voting closes.',
    'Voting is closed. The results are below.']) {
    assert.equal(said.filter((s) => s === line).length, 1, `heard "${line}" once: ${JSON.stringify(said)}`);
  }

  const kinds = [
    [SLIDE.multiple, 'Which two topics?'],
    [SLIDE.quiz, 'Which planet is the largest?'],
    [SLIDE.scale, 'How was the talk?'],
    [SLIDE.ranking, 'Rank these'],
    [SLIDE.points, 'Spread 100 points'],
    [SLIDE.number, 'How many bones are in an adult human body?'],
    [SLIDE.words, 'Two words?'],
    [SLIDE.open, 'Ideas for next time?'],
  ];
  for (const [slide, prompt] of kinds) {
    await goTo(slide, prompt);
    await axeBoth(phone, `${prompt} open`);
  }

  // Answered (a number, with its range checked first) and closed with its results.
  await goTo(SLIDE.number, 'How many bones are in an adult human body?');
  await phone.getByRole('spinbutton', { name: 'Your answer', exact: true }).fill('2000');
  await eventually('out of range', () => phone.locator('#num').getAttribute('aria-invalid'), 'true');
  await axeBoth(phone, 'number out of range');
  await phone.getByRole('spinbutton', { name: 'Your answer', exact: true }).fill('206');
  await phone.getByRole('button', { name: 'Submit', exact: true }).click();
  await eventually('saved', async () => (await text(phone, '#status')).startsWith('Saved.'), true);
  desk.send({ type: 'close_voting' });
  await eventually('number results', () => phone.locator('#res').isVisible(), true);
  await axeBoth(phone, 'number results');

  // A quiz answer, locked in, revealed: the result card.
  await goTo(SLIDE.quiz, 'Which planet is the largest?');
  await phone.getByRole('button', { name: 'Jupiter', exact: true }).click();
  await eventually('locked in', () => text(phone, '#status'), 'Answer locked in.');
  await axeBoth(phone, 'quiz answered');
  desk.send({ type: 'reveal_answer', revealed: true });
  await eventually('the result card', () => phone.locator('#rc').isVisible(), true);
  await axeBoth(phone, 'quiz result');
  await goTo(SLIDE.leaderboard);
  await eventually('the standing', async () => (await text(phone, '#rt')).startsWith('Total'), true);
  await axeBoth(phone, 'leaderboard standing');
});

test('a question with a countdown is announced at the start, at 10 seconds and at zero, not every second', async () => {
  await goTo(SLIDE.multiple, 'Which two topics?');
  await listen(phone);
  desk.send({ type: 'start_timer', seconds: 12 });
  await eventually('the countdown', async () => /^0:1\d left$/.test(await text(phone, '#clock')), true);
  await eventually('voting closed by the timer', async () => (await text(phone, '#status')).startsWith("Time's up."), true, 20_000);
  // The first reading may round up a second (the server's clock is learnt over the network); at
  // zero the status line says it, and the countdown's own "Time's up." may come just before.
  const all = await heard(phone);
  const said = all.filter((s) => /seconds? left to answer|^Time's up\./.test(s));
  assert.match(said[0], /^1[23] seconds left to answer\.$/, JSON.stringify(all));
  assert.equal(said[1], '10 seconds left to answer.', JSON.stringify(all));
  assert.ok(said.slice(2).length >= 1 && said.slice(2).length <= 2 && said.slice(2).every((s) => s.startsWith("Time's up.")), JSON.stringify(all));
  assert.ok(all.length <= 6, `a quiet countdown: ${JSON.stringify(all)}`);
  desk.send({ type: 'open_voting' });
  await eventually('open again', () => text(phone, '#hint'), 'Choose up to 2 answers.');
});

test('the keyboard alone: Tab to an option, Space picks, Tab to Submit, Enter sends, and it is saved', async () => {
  await goTo(SLIDE.multiple, 'Which two topics?');
  // Tabbing starts from the question's title, as after a tap on it.
  await phone.locator('#h').click();
  const focused = () => phone.evaluate(() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    // The focus ring: a visible outline on the focused control.
    const name = e.querySelector('.t')?.textContent || e.getAttribute('aria-label') || e.textContent.trim();
    return { name, ring: e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
  });
  // The options come first on the page: nothing to tab past on a question slide without Q&A.
  await phone.keyboard.press('Tab');
  assert.deepEqual(await focused(), { name: 'Ownership', ring: true });
  await phone.keyboard.press('Space');
  await phone.keyboard.press('Tab');
  await phone.keyboard.press('Tab');
  assert.deepEqual(await focused(), { name: 'Macros', ring: true });
  await phone.keyboard.press('Enter');
  await eventually('two picked', () => phone.locator('#opts [aria-pressed=true]').count(), 2);
  await phone.keyboard.press('Tab');
  assert.deepEqual(await focused(), { name: 'Submit', ring: true });
  await phone.keyboard.press('Enter');
  await eventually('the ack arrived', async () => (await text(phone, '#status')).startsWith('Saved.'), true);
  // Then the language menu under the question, then the reactions at the foot of the screen.
  const order = [];
  for (let i = 0; i < 3; i++) {
    await phone.keyboard.press('Tab');
    order.push(await phone.evaluate(() => document.activeElement.id || document.activeElement.textContent));
  }
  assert.deepEqual(order, ['lg', '👏', '❤️']);
  await phone.screenshot({ path: path.join(shots, 'phone-a11y-keyboard.png') });
});

test('Q&A, offline with an answer waiting, and another tab answering instead, each checked with axe', async () => {
  desk.send({ type: 'set_qa', open: true });
  await eventually('Q&A on the phone', () => phone.locator('#qa').isVisible(), true);
  await phone.getByLabel('Your question', { exact: true }).fill('How does it work offline?');
  await phone.getByRole('button', { name: 'Send question', exact: true }).click();
  await eventually('asked', () => text(phone, '#status'), 'Sent.');
  const other = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
  await other.opened;
  other.send({ type: 'hello', participant: 'someone-else-2' });
  await other.request({ type: 'ask', text: 'Will the slides be shared?' }, ['ack']);
  other.ws.close();
  await eventually('two questions listed', () => phone.locator('#qal li').count(), 2, 5_000);
  await axeBoth(phone, 'Q&A');
  desk.send({ type: 'set_qa', open: false });

  // Offline: the answer waits, and goes once the phone is back.
  await goTo(SLIDE.open, 'Ideas for next time?');
  await phone.context().setOffline(true);
  await eventually('offline', async () => (await text(phone, '#net')).startsWith('Offline. Reconnecting…'), true);
  await phone.getByLabel('Your answer', { exact: true }).fill('Shorter talks');
  await phone.getByRole('button', { name: 'Submit', exact: true }).click();
  await eventually('queued', () => text(phone, '#status'), 'Not sent yet. It will be sent when the connection is back.');
  await axeBoth(phone, 'offline with an answer waiting');
  await phone.context().setOffline(false);
  await eventually('sent once back', async () => (await text(phone, '#status')).startsWith('Sent.'), true, 20_000);

  // Another tab of the same phone takes over: the first one says so, with a button to take back.
  const second = await phone.context().newPage();
  await second.goto(server.participant);
  await eventually('the first tab hands over', () => phone.locator('#take').isVisible(), true);
  await axeBoth(phone, 'answered in another tab');
  await second.close();
  await phone.getByRole('button', { name: 'Answer on this page instead', exact: true }).click();
  await eventually('back', () => phone.locator('#take').isVisible(), false);
});

test('an error from the server is shown in words and checked with axe', async () => {
  const errorPhone = await openPhone({}, async (context) => {
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        // A vote is refused as the server refuses a late one.
        const frame = JSON.parse(message);
        if (frame.type === 'vote') ws.send(JSON.stringify({ type: 'error', code: 'voting_closed', message: 'in English', request: frame.request }));
        else server.send(message);
      });
      server.onMessage((message) => ws.send(message));
    });
  });
  await goTo(SLIDE.single, 'Coffee or tea?');
  desk.send({ type: 'open_voting' });
  await eventually('the question', () => text(errorPhone, '#h'), 'Coffee or tea?');
  await eventually('voting open', () => errorPhone.getByRole('button', { name: 'Coffee', exact: true }).isEnabled(), true);
  await errorPhone.getByRole('button', { name: 'Coffee', exact: true }).click();
  await eventually('refused in words', () => text(errorPhone, '#status'), 'Voting is closed. Your answer was not saved.');
  await axeBoth(errorPhone, 'an error shown');
  await errorPhone.context().close();
});

// 320 px wide with the text at 200 %: nothing wider than the screen, nothing hidden under
// anything else, every control still at least 48 px tall.
async function checkReflow(page, what) {
  const { small, overflow } = await phoneLayout(page);
  assert.deepEqual(small, [], `${what}: controls under 48 px tall`);
  assert.equal(overflow, 0, `${what}: the page scrolls sideways`);
  const clipped = await page.evaluate(() => {
    const out = [];
    for (const e of document.querySelectorAll('main *, footer *')) {
      // The live region for screen readers only is 1 px on purpose.
      if (!e.checkVisibility() || !e.childNodes.length || e.closest('.sr')) continue;
      // Text cut off inside its own box, or sticking out of the window.
      const r = e.getBoundingClientRect();
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' && e.tagName !== 'TEXTAREA') out.push(`${e.tagName}#${e.id}: clipped`);
      if (r.right > document.documentElement.clientWidth + 0.5 || r.left < -0.5) out.push(`${e.tagName}#${e.id}.${e.className}: ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return out;
  });
  assert.deepEqual(clipped, [], `${what}: cut off or off screen`);
}

test('320 px wide with the text at 200 %, and in landscape: no sideways scrolling, nothing cut off', async () => {
  const small = await openPhone({ viewport: { width: 320, height: 640 } });
  await small.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
  for (const [slide, prompt] of [[SLIDE.single, 'Coffee or tea?'], [SLIDE.multiple, 'Which two topics?'],
    [SLIDE.scale, 'How was the talk?'], [SLIDE.ranking, 'Rank these'], [SLIDE.number, 'How many bones are in an adult human body?'],
    [SLIDE.words, 'Two words?'], [SLIDE.open, 'Ideas for next time?'], [SLIDE.points, 'Spread 100 points']]) {
    desk.send({ type: 'goto', slide });
    await eventually('the slide', () => text(small, '#h'), prompt);
    await checkReflow(small, `${prompt} at 200 %, 320 px`);
    await onWholePage(small, () => small.screenshot({ path: path.join(shots, `phone-a11y-200pct-320-${slide}.png`) }));
  }
  await onWholePage(small, async () => {
    await small.emulateMedia({ colorScheme: 'dark' });
    await small.screenshot({ path: path.join(shots, 'phone-200pct-320.png') });
  });
  desk.send({ type: 'goto', slide: SLIDE.welcome });
  await eventually('the name prompt', () => small.locator('#nf').isVisible(), true);
  await checkReflow(small, 'name prompt at 200 %, 320 px');
  await onWholePage(small, () => small.screenshot({ path: path.join(shots, 'phone-a11y-200pct-320-name.png') }));

  await small.setViewportSize({ width: 640, height: 320 });
  await small.evaluate(() => { document.documentElement.style.fontSize = ''; });
  for (const [slide, prompt] of [[SLIDE.points, 'Spread 100 points'], [SLIDE.scale, 'How was the talk?']]) {
    desk.send({ type: 'goto', slide });
    await eventually('the slide', () => text(small, '#h'), prompt);
    await checkReflow(small, `${prompt} in landscape`);
    // The sticky footer leaves most of a short screen to the question.
    const footer = await small.evaluate(() => document.querySelector('footer').getBoundingClientRect().height);
    assert.ok(footer <= 320 / 2, `the footer takes ${footer} px of 320 in landscape`);
  }
  await small.screenshot({ path: path.join(shots, 'phone-a11y-landscape.png') });
  await small.context().close();
});

test('reduced motion: nothing moves', async () => {
  const still = await openPhone({ reducedMotion: 'reduce' });
  desk.send({ type: 'goto', slide: SLIDE.single });
  await eventually('the question', () => text(still, '#h'), 'Coffee or tea?');
  const moving = await still.evaluate(() => [...document.querySelectorAll('*')].filter((e) => {
    const s = getComputedStyle(e);
    return s.animationName !== 'none' || s.transitionDuration.split(',').some((d) => parseFloat(d) > 0) || s.scrollBehavior === 'smooth';
  }).map((e) => e.tagName + (e.id ? `#${e.id}` : '')));
  assert.deepEqual(moving, []);
  await still.context().close();
});

test('no script errors on any phone', () => {
  assert.deepEqual(pageErrors, []);
});
