// The Sessions window: every session of the data folder (GET /api/sessions), the newest first,
// and what can be done with each: show it again read-only (POST /api/review), open its printable
// report, delete it, or delete one participant's answers (a privacy request). The session on
// screen cannot be deleted. Confirmations are asked in the row itself: a desktop webview may not
// show the browser's own dialogs. Deck titles and server messages are text, set with textContent.
import { call, errorText, hasToken, withToken } from './editor/api.js';
import { $, el } from './editor/dom.js';
import { num, plural, t, translatePage } from './lib/i18n.js';

translatePage();
// A count as a plural of `key`, its digits ungrouped ("1500 answers").
const count = (n, key, vars) => plural(n, key, { n: num(n, { useGrouping: false }), ...vars });

const params = new URLSearchParams(location.search);
// The desktop app opens this page in a window of its own; the presenter view links here with
// `from=presenter`, and then there is a way back.
const desktop = params.get('shell') === 'desktop';
const fromPresenter = params.get('from') === 'presenter';

// "P7", "p7" or "P 7": participant number 7, as the report names them.
const PARTICIPANT = /^P\s*0*([1-9][0-9]{0,8})$/i;

const when = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
});
const dateText = (ms) => (Number.isFinite(ms) ? when.format(new Date(ms)) : t('sessions.unknownDate'));

let sessions = [];
let review = null;
// The row with an open question or form: { id, mode: 'delete' | 'participant' | 'participant-confirm', number }.
let panel = null;
// A line under a row, kept across reloads: session id → { text, error }.
const notes = new Map();
// A request under way: the page takes no other action meanwhile.
let busy = false;

function say(text) {
  $('status').textContent = text;
}

// ---- Loading ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const reviewOf = (json) => (json && json.review && Number.isFinite(json.review.session) ? json.review.session : null);

// Reads the list again and redraws it; `focus` ({ id, key }) is the control to focus after.
// `expect` (a session id, or null for the live one) is the session just put on screen: the
// server restarts onto it, and for a moment its port refuses or the old server still answers,
// so the list is asked for again until it says so (for about three seconds at most).
async function load({ quiet = false, focus = focusedKey(), expect } = {}) {
  if (!quiet) $('loading').hidden = sessions.length > 0;
  const tries = expect === undefined ? 1 : 20;
  let result = null;
  let failure = null;
  for (let i = 0; i < tries; i++) {
    if (i) await sleep(150);
    try {
      result = await call('GET', '/api/sessions');
      failure = null;
    } catch (err) {
      failure = err;
      continue;
    }
    if (expect === undefined || (result.ok && reviewOf(result.json) === expect)) break;
  }
  if (failure) {
    loadFailed(t('sessions.unreachable', { error: failure.message }));
    return false;
  }
  $('loading').hidden = true;
  if (!result.ok || !result.json || !Array.isArray(result.json.sessions)) {
    loadFailed(result.ok ? t('sessions.unreadable') : errorText(result));
    return false;
  }
  $('load-error').hidden = true;
  sessions = result.json.sessions.filter((s) => s && Number.isFinite(s.id));
  review = reviewOf(result.json) === null ? null : result.json.review;
  for (const id of notes.keys()) if (!sessions.some((s) => s.id === id)) notes.delete(id);
  if (panel && !sessions.some((s) => s.id === panel.id)) panel = null;
  render(focus);
  return true;
}

function loadFailed(text) {
  $('loading').hidden = true;
  $('load-error-text').textContent = text;
  $('load-error').hidden = false;
}

// ---- Drawing ----

// The focused control, as { id, key }, so that it can be focused again in the redrawn list.
function focusedKey() {
  const active = document.activeElement;
  const row = active && active.closest && active.closest('li.session');
  if (!row || !active.dataset.key) return null;
  return { id: Number(row.dataset.id), key: active.dataset.key };
}

function render(focus = focusedKey()) {
  paintReview();
  const list = $('sessions');
  list.replaceChildren(...sessions.map(row));
  $('empty').hidden = sessions.length > 0 || !$('load-error').hidden;
  if (focus) {
    const target = list.querySelector(`li[data-id="${focus.id}"] [data-key="${focus.key}"]`)
      || list.querySelector(`li[data-id="${focus.id}"] [data-key="show"], li[data-id="${focus.id}"] [data-key="report"]`);
    if (target) target.focus();
  }
}

function paintReview() {
  const shown = review && sessions.find((s) => s.id === review.session);
  $('review').hidden = !review;
  if (!review) return;
  const vars = { id: review.session, title: shown && shown.title, date: dateText(review.started_at) };
  $('review-text').textContent = t(vars.title ? 'sessions.reviewingTitled' : 'sessions.reviewing', vars);
  $('review-back').disabled = busy;
  // A session file opened on its own has no live session to go back to.
  $('review-back').hidden = review.live === false;
}

function button(text, key, onClick, className = '') {
  const b = el('button', { type: 'button', className, text, dataset: { key } });
  b.disabled = busy;
  b.addEventListener('click', onClick);
  return b;
}

function row(session) {
  const { id } = session;
  const titleId = `session-${id}-title`;
  const li = el('li', { className: `session${session.on_screen ? ' on-screen' : ''}`, dataset: { id: String(id) } });
  li.setAttribute('aria-labelledby', titleId);

  const title = el('h2', { className: 'title', id: titleId, dir: 'auto', text: session.title || t('sessions.untitled') });
  if (!session.title) title.classList.add('untitled');
  const head = el('div', { className: 'row-head' }, title);
  if (session.on_screen) {
    const reviewing = review && review.session === id;
    head.append(el('span', { className: 'badge', text: t(reviewing ? 'sessions.onScreenReadOnly' : 'sessions.onScreen') }));
  }

  const started = el('time', { text: dateText(session.started_at) });
  if (Number.isFinite(session.started_at)) started.dateTime = new Date(session.started_at).toISOString();
  const meta = el('p', { className: 'meta' },
    el('span', { text: t('sessions.session', { id }) }), started,
    el('span', { className: 'count', text: count(Number(session.participants) || 0, 'sessions.participants') }),
    el('span', { className: 'count answers', text: count(Number(session.answers) || 0, 'sessions.answers') }));
  li.append(head, meta);

  if (panel && panel.id === id) {
    li.append(panelFor(session));
  } else {
    li.append(actions(session));
  }
  const note = notes.get(id);
  if (note) {
    li.append(el('p', { className: `note${note.error ? ' error' : ''}`, text: note.text, attrs: { role: note.error ? 'alert' : 'status' } }));
  }
  return li;
}

function actions(session) {
  const { id } = session;
  const group = el('div', { className: 'row-actions', attrs: { role: 'group', 'aria-label': t('sessions.session', { id }) } });
  if (!session.on_screen) {
    group.append(button(t('sessions.show'), 'show', () => show(id), 'primary'));
  }
  const report = el('a', { className: 'button', href: withToken(`/api/sessions/${id}/report`), text: t('sessions.report'), dataset: { key: 'report' } });
  report.setAttribute('aria-label', t('sessions.reportOf', { id }));
  group.append(report);
  if (session.on_screen) {
    group.append(el('span', { className: 'hint', text: t('sessions.onScreenHint') }));
  } else {
    group.append(
      button(t('sessions.delete'), 'delete', () => open(id, 'delete'), 'danger'),
      button(t('sessions.deleteParticipant'), 'participant', () => open(id, 'participant')),
    );
  }
  return group;
}

// The question or form that takes the place of a row's buttons.
function panelFor(session) {
  const { id } = session;
  const questionId = `session-${id}-question`;
  if (panel.mode === 'delete') {
    return confirmPanel(questionId, count(Number(session.answers) || 0, 'sessions.confirmDelete', { id }),
      button(t('sessions.deleteNow'), 'confirm', () => deleteSession(id), 'danger solid'));
  }
  if (panel.mode === 'participant-confirm') {
    const who = `P${panel.number}`;
    return confirmPanel(questionId,
      t('sessions.confirmParticipant', { who, id }),
      button(t('sessions.deleteWho', { who }), 'confirm', () => deleteParticipant(id, panel.number), 'danger solid'));
  }
  return participantForm(id);
}

function confirmPanel(questionId, question, confirm) {
  const box = el('div', { className: 'panel confirm', attrs: { role: 'group', 'aria-labelledby': questionId } },
    el('p', { className: 'question', id: questionId, text: question }),
    el('div', { className: 'panel-buttons' }, confirm, button(t('sessions.cancel'), 'cancel', close)));
  box.addEventListener('keydown', escapeCloses);
  return box;
}

function participantForm(id) {
  const field = `session-${id}-participant`;
  const error = `${field}-error`;
  const input = el('input', {
    type: 'text', id: field, autocomplete: 'off', spellcheck: false, value: panel.typed || '',
    dataset: { key: 'field' }, attrs: { 'aria-describedby': `${field}-hint ${error}`, placeholder: 'P7' },
  });
  input.disabled = busy;
  input.addEventListener('input', () => { panel.typed = input.value; });
  const form = el('form', { className: 'panel', noValidate: true },
    el('label', { htmlFor: field, text: t('sessions.whose') }),
    el('p', { className: 'hint', id: `${field}-hint`, text: t('sessions.whoseHint') }),
    el('div', { className: 'panel-buttons' }, input,
      el('button', { type: 'submit', text: t('sessions.continue'), dataset: { key: 'continue' }, disabled: busy }),
      button(t('sessions.cancel'), 'cancel', close)),
    el('p', { className: 'field-error', id: error, attrs: { role: 'alert' }, hidden: !panel.error, text: panel.error || '' }));
  if (panel.error) input.setAttribute('aria-invalid', 'true');
  form.addEventListener('keydown', escapeCloses);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const match = PARTICIPANT.exec(input.value.trim());
    if (!match) {
      panel.error = input.value.trim()
        ? t('sessions.notParticipant', { typed: input.value.trim() })
        : t('sessions.typeParticipant');
      render({ id, key: 'field' });
      return;
    }
    panel = { id, mode: 'participant-confirm', number: Number(match[1]) };
    render({ id, key: 'cancel' });
  });
  return form;
}

function escapeCloses(e) {
  if (e.key !== 'Escape' || busy) return;
  e.preventDefault();
  close();
}

// ---- Actions ----

function open(id, mode) {
  notes.delete(id);
  say('');
  panel = { id, mode };
  render({ id, key: mode === 'delete' ? 'cancel' : 'field' });
}

// Back to the row's buttons, focus on the one that opened the question.
function close() {
  if (!panel) return;
  const { id, mode } = panel;
  panel = null;
  render({ id, key: mode === 'delete' ? 'delete' : 'participant' });
}

// Runs one request at a time with every button disabled; then the list is read again. `work`
// may answer { focus, expect }: the control to focus afterwards ({ id, key }; else the one that
// started it, null for none), and the session now on screen when it changed (see load).
async function act(work) {
  if (busy) return;
  let focus = focusedKey();
  let expect;
  busy = true;
  render(focus);
  try {
    const next = (await work()) || {};
    if (next.focus !== undefined) focus = next.focus;
    expect = next.expect;
  } catch (err) {
    say(t('sessions.unreachableShort', { error: err.message }));
  } finally {
    busy = false;
  }
  if (!(await load({ quiet: true, focus, expect }))) render(focus);
  if (!focus || !document.querySelector(`li[data-id="${focus.id}"]`)) $('refresh').focus();
}

function show(id) {
  act(async () => {
    notes.delete(id);
    say(t('sessions.putting', { id }));
    const result = await call('POST', '/api/review', { session: id });
    if (!result.ok) {
      say('');
      notes.set(id, { text: errorText(result), error: true });
      return {};
    }
    say(t('sessions.shown', { id }));
    return { expect: id };
  });
}

function backToLive() {
  act(async () => {
    const was = review && review.session;
    say(t('review.going'));
    const result = await call('POST', '/api/review', { session: null });
    say(result.ok ? t('sessions.liveAgain') : errorText(result));
    return { focus: Number.isFinite(was) ? { id: was, key: 'show' } : null, expect: result.ok ? null : undefined };
  });
}

function deleteSession(id) {
  act(async () => {
    const result = await call('DELETE', `/api/sessions/${id}`);
    panel = null;
    if (!result.ok) {
      notes.set(id, { text: errorText(result), error: true });
      return { focus: { id, key: 'delete' } };
    }
    say(t('sessions.deleted', { id }));
    // The row goes: the focus goes to the next row, or the one before it (else to Refresh).
    const index = sessions.findIndex((s) => s.id === id);
    const next = sessions[index + 1] || sessions[index - 1];
    sessions = sessions.filter((s) => s.id !== id);
    return { focus: next ? { id: next.id, key: 'show' } : null };
  });
}

function deleteParticipant(id, number) {
  act(async () => {
    const result = await call('DELETE', `/api/sessions/${id}/participants/${number}`);
    panel = null;
    if (result.ok && result.json) {
      const who = String(result.json.participant || `P${number}`);
      const text = count(Number(result.json.deleted) || 0, 'sessions.deletedParticipant', { who, id });
      notes.set(id, { text });
      say(text);
    } else {
      notes.set(id, { text: errorText(result), error: true });
    }
    return { focus: { id, key: 'participant' } };
  });
}

// ---- Start ----

$('refresh').addEventListener('click', () => {
  if (busy) return;
  say('');
  load();
});
$('retry').addEventListener('click', () => load());
$('review-back').addEventListener('click', backToLive);
// A session may have been shown, deleted or answered elsewhere meanwhile.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !busy && !panel) load({ quiet: true });
});

if (!desktop || fromPresenter) {
  const back = $('back');
  back.href = withToken('/') + (desktop ? '&shell=desktop' : '');
  back.hidden = false;
}

if (!hasToken()) {
  loadFailed(t('sessions.noToken'));
  $('retry').hidden = true;
  $('refresh').disabled = true;
} else {
  load();
}
