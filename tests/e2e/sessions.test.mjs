// The Sessions window against `handsup serve`: three phones vote in a first session, the server
// starts again with --new-session, and the window lists both, the new one on screen. "Show
// results" puts the old one on the presenter view and projector read-only (its votes as they
// were, a banner for the speaker, no join code for the room, phones turned away, voting refused);
// "Back to the live session" ends that. Then one participant's answers are deleted, and the old
// session itself, each after a question asked in the row. The deck title is markup, shown as
// text. Screenshots go to target/test-screenshots/sessions-*.png and presenter-review.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  cleanUp, eventually, launchChromium, onWholePage, openWatchedPage, origin, phoneLayout, shots, sleep,
  Socket, startOnDeck, startServer, text } from './lib.mjs';

const TITLE = 'Retro <img src=x onerror="window.__xss++"> & lunch';
const DECK = `---
title: ${TITLE}
---

# Welcome

Join on your phone.

---

<!-- question: single id=lunch -->
# Pizza or salad?

- Pizza
- Salad
`;
const READ_ONLY = 'this is a past session, shown read-only';

let server;
let browser;
let dataDir;
let deckFile;
let sessionsPage;
let presenter;
let projector;
// The first session (three votes) and the second (on screen after the restart).
let old;
let live;
const pageErrors = [];
const dialogs = [];

const openPage = (url, contextOptions) => openWatchedPage(browser, url, contextOptions, { xss: true, pageErrors, dialogs });
const presenterUrl = (pathname, extra = '') => {
  const url = new URL(server.presenter);
  url.pathname = pathname;
  return `${url.href}${extra}`;
};
const token = () => new URL(server.presenter).searchParams.get('token');
const deskSocket = () => new Socket(`ws://${new URL(server.presenter).host}/ws?token=${token()}`, origin(server.presenter));
const phoneSocket = () => new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
const apiSessions = async () => (await fetch(presenterUrl('/api/sessions')).then((r) => r.json()));

// A row of the Sessions window, by its session.
const row = (id) => sessionsPage.locator(`#sessions li[data-id="${id}"]`);
// What the window lists: per row, its title, the marks and counts, and which buttons it has.
const listed = () => sessionsPage.locator('#sessions li.session').evaluateAll((rows) => rows.map((li) => ({
  id: Number(li.dataset.id),
  title: li.querySelector('.title').textContent,
  badge: li.querySelector('.badge')?.textContent ?? null,
  counts: [...li.querySelectorAll('.meta .count')].map((el) => el.textContent),
  actions: [...li.querySelectorAll('.row-actions button, .row-actions a')].map((el) => el.textContent),
})));
const button = (page, name) => page.getByRole('button', { name, exact: true });

before(async () => {
  server = await startOnDeck('sessions', DECK);
  ({ dataDir, deckFile } = server);
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });

  // The first session: three phones, two for Pizza and one for Salad, then voting closed.
  const desk = deskSocket();
  await desk.opened;
  const phones = [];
  for (let i = 0; i < 3; i++) {
    const phone = phoneSocket();
    await phone.opened;
    phone.send({ type: 'hello', participant: `sessions-phone-${i}` });
    await eventually('the phone\'s first state', () => !!phone.last('state'), true);
    phones.push(phone);
  }
  desk.send({ type: 'goto', slide: 1 });
  desk.send({ type: 'open_voting' });
  for (const phone of phones) {
    await eventually('the question open on the phone', () => {
      const state = phone.last('state');
      return [state?.question?.id, state?.voting];
    }, ['lunch', 'open']);
  }
  for (const [i, choice] of [0, 0, 1].entries()) {
    const reply = await phones[i].request({ type: 'vote', question: 'lunch', answer: { choices: [choice] } }, ['ack']);
    assert.equal(reply.type, 'ack', `phone ${i}: ${JSON.stringify(reply)}`);
  }
  desk.send({ type: 'close_voting' });
  await eventually('the first session\'s votes', () => {
    const state = desk.last('state');
    return [state?.voting, state?.results?.counts];
  }, ['closed', [2, 1]]);
  for (const socket of [desk, ...phones]) socket.ws.terminate();

  // A new session on the same deck, data folder and address.
  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null }, server.log());
  const port = new URL(server.participant).port;
  const restarted = await startServer(['--bind', '127.0.0.1', '--port', port, '--data', path.join(dataDir, 'data'),
    '--new-session', deckFile]);
  assert.equal(restarted.presenter, server.presenter, 'the presenter address outlives the restart');
  server = { ...restarted, dataDir, deckFile };
});

after(() => cleanUp({ browser, server: server?.child, exited: server?.exited, dataDir }));

test('the window lists both sessions, the new one on screen, the title as text', async () => {
  const api = await apiSessions();
  assert.equal(api.sessions.length, 2, JSON.stringify(api));
  assert.equal(api.review, null);
  [live, old] = api.sessions;
  assert.ok(live.id > old.id && live.on_screen && !old.on_screen, JSON.stringify(api));
  assert.deepEqual([old.participants, old.answers, old.title], [3, 3, TITLE]);

  sessionsPage = await openPage(presenterUrl('/sessions'), { viewport: { width: 900, height: 640 } });
  await eventually('two rows', async () => (await listed()).length, 2);
  assert.deepEqual(await listed(), [
    { id: live.id, title: TITLE, badge: 'On screen', counts: ['0 participants', '0 answers'], actions: ['Report'] },
    { id: old.id, title: TITLE, badge: null, counts: ['3 participants', '3 answers'],
      actions: ['Show results', 'Report', 'Delete…', 'Delete a participant’s answers…'] },
  ]);
  assert.equal(await sessionsPage.locator('#review').isVisible(), false, 'no review banner while the live session is on screen');
  assert.match(await text(row(live.id), '.hint'), /^On screen: show another session or deck to delete this one\.$/);
  assert.match(await text(row(old.id), '.meta time'), /\b20\d\d\b/, 'the start date and time');
  assert.equal(await sessionsPage.title(), 'Handsup sessions');
  assert.equal(await sessionsPage.getByRole('link', { name: 'Back to presenter' }).getAttribute('href'), `/?token=${token()}`);

  // The session on screen cannot be deleted: the server says why, in words.
  const refused = await sessionsPage.evaluate(async (id) => {
    const response = await fetch(`/api/sessions/${id}${location.search}`, { method: 'DELETE' });
    return [response.status, (await response.json()).error];
  }, live.id);
  assert.equal(refused[0], 409);
  assert.match(refused[1], new RegExp(`^session ${live.id} is on screen`));

  // The report link opens the old session's printable report in this window; Back returns.
  await row(old.id).getByRole('link', { name: `Report of session ${old.id}` }).click();
  await eventually('the report', () => text(sessionsPage, 'h1'), TITLE);
  assert.equal(new URL(sessionsPage.url()).pathname, `/api/sessions/${old.id}/report`);
  await sessionsPage.goBack();
  await eventually('the list again', async () => (await listed()).length, 2);
});

test('"Show results" puts the old session on screen read-only', { timeout: 90_000 }, async (t) => {
  presenter = await openPage(server.presenter, { viewport: { width: 1280, height: 800 } });
  projector = await openPage(presenterUrl('/', '&view=projector'), { viewport: { width: 1280, height: 720 } });
  await eventually('the presenter on the live session', () => text(presenter, '#slide-number'), '1 / 2');
  assert.equal(await presenter.locator('#review').isVisible(), false);
  await eventually('the join code on the projector', () => projector.locator('#join').isVisible(), true);

  await button(row(old.id), 'Show results').click();
  await eventually('the window\'s status', () => text(sessionsPage, '#status'),
    `Session ${old.id} is on screen, read-only: the presenter view and the projector show its results.`, 20_000);
  await eventually('the review banner in the window', () => sessionsPage.locator('#review').isVisible(), true);
  assert.match(await text(sessionsPage, '#review-text'), new RegExp(`^Showing session ${old.id} \\(“.*”\\) of .+ read-only\\. Phones cannot join\\.$`));
  assert.deepEqual((await listed()).map((r) => [r.id, r.badge, r.actions[0]]), [
    [live.id, null, 'Show results'],
    [old.id, 'On screen, read-only', 'Report'],
  ]);
  await sessionsPage.screenshot({ path: path.join(shots, 'sessions-window.png'), animations: 'disabled' });

  // The presenter view: the banner, the old votes, nothing that would take answers.
  await eventually('the review banner on the presenter', () => presenter.locator('#review').isVisible(), true, 20_000);
  assert.match(await text(presenter, '#review-text'), /^Past session of .+ — read-only\. Phones cannot join\.$/);
  await eventually('the old session\'s slide', () => text(presenter, '#slide-number'), '2 / 2');
  await eventually('the old votes', async () => [await text(presenter, '#respondents'),
    await text(presenter, '#bars li[data-option="0"] .count'), await text(presenter, '#bars li[data-option="1"] .count')], ['3', '2', '1']);
  assert.equal(await text(presenter, '#voting-status'), 'Voting closed');
  assert.equal(await button(presenter, 'Open voting').isDisabled(), true, 'Open voting is disabled');
  assert.equal(await presenter.locator('#timer-toggle').isDisabled(), true, 'the timer is disabled');
  assert.equal(await presenter.locator('#timer-add').isDisabled(), true, '+30 s is disabled');
  assert.equal(await presenter.locator('#edit-deck').isVisible(), false, 'no editing the deck text a past session ran');
  assert.equal(await presenter.locator('.stat.network').isVisible(), false, 'no join address in the status bar');
  assert.equal(await presenter.locator('#join').isVisible(), false, 'no join code on the speaker\'s copy of the stage');
  assert.equal(await presenter.getByRole('link', { name: 'Sessions…' }).getAttribute('href'), `/sessions?token=${token()}&from=presenter`);
  assert.match(await presenter.title(), /^Past session · /);
  // The timer key says why instead of asking.
  await presenter.keyboard.press('t');
  await eventually('the presenter\'s message', () => text(presenter, '#message'), 'Read-only: a past session takes no answers.');
  await presenter.screenshot({ path: path.join(shots, 'presenter-review.png'), animations: 'disabled' });

  // The projector: the old results, no join code, no banner.
  await eventually('the projector on the old results', () => text(projector, '#respondents'), '3', 20_000);
  assert.equal(await projector.locator('#join').isVisible(), false, 'no join code on the projector');
  assert.equal(await projector.locator('#review').isVisible(), false, 'the banner is the speaker\'s only');
  await projector.screenshot({ path: path.join(shots, 'projector-review.png'), animations: 'disabled' });
  // The title slide without its join code: the slide has the whole width. Back on the question,
  // voting has not opened by itself.
  await presenter.keyboard.press('ArrowLeft');
  await eventually('the title slide on the projector', () => text(projector, '#slide h1'), 'Welcome');
  assert.equal(await projector.locator('#join').isVisible(), false, 'no join code on the title slide either');
  const [slideBox, stageBox] = [await projector.locator('#slide').boundingBox(), await projector.locator('#stage').boundingBox()];
  assert.ok(slideBox.width > stageBox.width * 0.8, `the slide takes the stage's width: ${slideBox.width} of ${stageBox.width}`);
  await projector.screenshot({ path: path.join(shots, 'projector-review-title.png'), animations: 'disabled' });
  await presenter.keyboard.press('ArrowRight');
  await eventually('the question again', () => text(presenter, '#slide-number'), '2 / 2');
  await sleep(300);
  assert.equal(await text(presenter, '#voting-status'), 'Voting closed', 'arriving on the question opened nothing');

  // The server refuses to open voting, and turns phones away.
  const desk = deskSocket();
  await desk.opened;
  await eventually('the desk\'s deck frame', () => desk.last('deck')?.review?.session, old.id);
  desk.send({ type: 'open_voting' });
  await eventually('the server\'s refusal', () => desk.last('error')?.message?.startsWith(READ_ONLY) ?? false, true);
  await sleep(300);
  assert.equal(desk.last('state').voting, 'closed', 'voting stayed closed');
  desk.ws.terminate();
  const phone = phoneSocket();
  await assert.rejects(phone.opened, /410/, 'a phone is turned away with 410 Gone');
  const phonePage = await openPage(server.participant, { viewport: { width: 390, height: 844 } });
  await sleep(1500);
  t.diagnostic(`the phone page during a review says: ${JSON.stringify(await phonePage.locator('body').innerText())}`);
  await phonePage.context().close();
  await sleep(300);
  assert.equal(await text(presenter, '#voting-status'), 'Voting closed', 'voting stayed closed');
});

test('"Back to the live session" on the presenter view ends the review', { timeout: 60_000 }, async () => {
  await button(presenter, 'Back to the live session').click();
  await eventually('the review banner gone', () => presenter.locator('#review').isVisible(), false, 20_000);
  await eventually('the live session\'s slide', () => text(presenter, '#slide-number'), '1 / 2', 20_000);
  await eventually('the presenter\'s join address', () => presenter.locator('.stat.network').isVisible(), true);
  await eventually('the join code back on the projector', () => projector.locator('#join').isVisible(), true, 20_000);
  assert.equal(await presenter.locator('#edit-deck').isVisible(), true);
  const phone = phoneSocket();
  await phone.opened;
  phone.ws.terminate();

  await button(sessionsPage, 'Refresh').click();
  await eventually('no banner in the window', () => sessionsPage.locator('#review').isVisible(), false);
  await eventually('the live session on screen again', async () => (await listed()).map((r) => [r.id, r.badge]),
    [[live.id, 'On screen'], [old.id, null]]);
  assert.equal((await apiSessions()).review, null);
});

test('the Sessions window has its own way back to the live session', { timeout: 60_000 }, async () => {
  await button(row(old.id), 'Show results').click();
  await eventually('the review banner in the window', () => sessionsPage.locator('#review').isVisible(), true, 20_000);
  await eventually('the review banner on the presenter', () => presenter.locator('#review').isVisible(), true, 20_000);
  await button(sessionsPage, 'Back to the live session').click();
  await eventually('the window\'s status', () => text(sessionsPage, '#status'), 'The live session is on screen again.', 20_000);
  await eventually('the window\'s banner gone', () => sessionsPage.locator('#review').isVisible(), false);
  await eventually('the focus on the session that was shown', () => sessionsPage.evaluate(() => {
    const active = document.activeElement;
    return [active.closest('li')?.dataset.id, active.textContent];
  }), [String(old.id), 'Show results']);
  await eventually('the presenter\'s banner gone', () => presenter.locator('#review').isVisible(), false, 20_000);
  await eventually('the live session\'s slide', () => text(presenter, '#slide-number'), '1 / 2', 20_000);
});

test('one participant\'s answers are deleted after a question in the row', { timeout: 60_000 }, async () => {
  const oldRow = row(old.id);
  await button(oldRow, 'Delete a participant’s answers…').click();
  const field = oldRow.getByLabel('Whose answers?');
  assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the field has the focus');

  // Not a participant: said under the field, nothing sent.
  await field.fill('seven');
  await button(oldRow, 'Continue').click();
  await eventually('the field\'s error', () => text(oldRow, '.field-error'), '“seven” is not a participant: type P and a number, like P7.');
  assert.equal(await oldRow.getByLabel('Whose answers?').getAttribute('aria-invalid'), 'true');

  // A participant the session does not have: the server's words, in the row.
  await oldRow.getByLabel('Whose answers?').fill('P9');
  await button(oldRow, 'Continue').click();
  await eventually('the question', () => text(oldRow, '.question'),
    `Delete P9’s answers and posts in session ${old.id}? Their nickname goes too. This cannot be undone.`);
  await button(oldRow, 'Delete P9’s answers').click();
  await eventually('the refusal', () => text(oldRow, '.note.error'), `Session ${old.id} has no participant P9`);
  assert.deepEqual((await listed())[1].counts, ['3 participants', '3 answers']);

  // P1, typed in lower case: asked first; Cancel keeps everything, Escape too.
  await button(oldRow, 'Delete a participant’s answers…').click();
  await oldRow.getByLabel('Whose answers?').fill(' p1 ');
  await oldRow.getByLabel('Whose answers?').press('Enter');
  await eventually('the question', () => text(oldRow, '.question'),
    `Delete P1’s answers and posts in session ${old.id}? Their nickname goes too. This cannot be undone.`);
  assert.equal(await sessionsPage.evaluate(() => document.activeElement.textContent), 'Cancel', 'the safe answer has the focus');
  await sessionsPage.keyboard.press('Escape');
  await eventually('the row\'s buttons again', () => oldRow.locator('.panel').count(), 0);
  assert.equal(await sessionsPage.evaluate(() => document.activeElement.textContent), 'Delete a participant’s answers…');

  await button(oldRow, 'Delete a participant’s answers…').click();
  await oldRow.getByLabel('Whose answers?').fill('P1');
  await button(oldRow, 'Continue').click();
  await oldRow.locator('.panel.confirm').waitFor();

  // The window on a narrow screen, with the question open: nothing sideways, targets of 44 px.
  await sessionsPage.setViewportSize({ width: 320, height: 640 });
  await sleep(100);
  const layout = await phoneLayout(sessionsPage, 44);
  assert.deepEqual(layout, { small: [], overflow: 0 }, 'the window at 320 px');
  await onWholePage(sessionsPage, () => sessionsPage.screenshot({ path: path.join(shots, 'sessions-phone.png'), animations: 'disabled' }));
  await sessionsPage.setViewportSize({ width: 900, height: 640 });

  await button(oldRow, 'Delete P1’s answers').click();
  await eventually('the result', () => text(oldRow, '.note'), `Deleted P1’s answers in session ${old.id}: 1 answer or post removed.`);
  await eventually('the answer count', async () => (await listed())[1].counts, ['3 participants', '2 answers']);
  assert.deepEqual(await sessionsPage.evaluate(() => document.activeElement.textContent), 'Delete a participant’s answers…');
  const api = await apiSessions();
  assert.equal(api.sessions.find((s) => s.id === old.id).answers, 2);
});

test('the old session is deleted after a question in the row', { timeout: 60_000 }, async () => {
  const oldRow = row(old.id);
  await button(oldRow, 'Delete…').click();
  await eventually('the question', () => text(oldRow, '.question'), `Delete session ${old.id} and its 2 answers? This cannot be undone.`);
  await button(oldRow, 'Cancel').click();
  assert.equal(await sessionsPage.evaluate(() => document.activeElement.textContent), 'Delete…', 'back on the button that asked');
  assert.equal((await listed()).length, 2, 'Cancel deletes nothing');

  await button(oldRow, 'Delete…').click();
  await button(oldRow, 'Delete').click();
  await eventually('one row left', async () => (await listed()).map((r) => r.id), [live.id]);
  assert.equal(await text(sessionsPage, '#status'), `Session ${old.id} was deleted.`);
  assert.deepEqual((await apiSessions()).sessions.map((s) => s.id), [live.id]);

  assert.equal(await sessionsPage.evaluate(() => window.__xss), 0, 'the deck title never ran as markup');
  assert.deepEqual(dialogs, [], 'no native dialogs');
  assert.deepEqual(pageErrors, [], 'no script errors in any page');
});
