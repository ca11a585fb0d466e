// The server is the only judge of a deck: POST /api/check after edits and before a save,
// then each problem is shown next to the field it names. No deck rule lives in this file.
import { has, t } from '../lib/i18n.js';
import { $, count, markInvalid, showError } from './dom.js';
import { checkDeck, errorText, sentence } from './api.js';
import { current, emit, state } from './state.js';
import { hasMarks, settingsOf } from './kinds.js';
import { wire } from './model.js';

const CHECK_DELAY = 300;

let timer = 0;
let seq = 0;
// Problems with the deck as a whole (its title), not with one slide.
let deckProblems = [];

export function scheduleCheck() {
  clearTimeout(timer);
  timer = setTimeout(() => { runCheck(); }, CHECK_DELAY);
}

export function cancelCheck() {
  clearTimeout(timer);
}

// Checks the deck as it is now. Resolves { ok: true } once every slide's problems are
// known, or { ok: false, error } when the server could not say.
export async function runCheck() {
  clearTimeout(timer);
  const { deck } = state;
  if (!deck) return { ok: false, error: t('editor.noDeck') };
  const sent = deck.slides.slice();
  const forms = sent.map(wire);
  const mine = ++seq;
  let result;
  try {
    result = await checkDeck(deck.title, forms);
  } catch (_) {
    return { ok: false, error: t('editor.noAnswer') };
  }
  // A later check is on its way: this answer is about an older deck.
  if (mine !== seq || deck !== state.deck) return { ok: false, stale: true, error: t('editor.changedWhileChecked') };
  if (!result.ok || !result.json || !Array.isArray(result.json.problems)) {
    return { ok: false, error: t('editor.checkFailed', { error: errorText(result) }) };
  }
  applyProblems(sent, forms, result.json.problems);
  return { ok: true };
}

// What the server says is wrong, in the page's language: `problem.<code>` with the problem's
// `vars` filled in (a count is always `n`) when the server sent a code the tables know,
// otherwise the server's own sentence. The vars (numbers, setting names, an option's text) only
// ever reach the page as text.
export function problemText(raw) {
  const key = typeof raw.code === 'string' && raw.code ? `problem.${raw.code}` : null;
  if (key && has(key)) {
    const vars = {};
    if (raw.vars && typeof raw.vars === 'object') {
      for (const [name, value] of Object.entries(raw.vars)) vars[name] = String(value ?? '');
    }
    if (!('n' in vars)) return t(key, vars);
    const { n, ...rest } = vars;
    return count(Number(n), key, rest);
  }
  return sentence(String(raw.message ?? raw.error ?? t('editor.problem')));
}

// A refused request's words: when one of its problems is the refusal itself and has a code, in
// the page's language; otherwise the server's sentence.
export function refusalText(result) {
  const json = result.json || {};
  const listed = Array.isArray(json.problems) ? json.problems : [];
  const same = listed.find((p) => p && typeof p === 'object' && p.message === json.error
    && (p.slide ?? null) === (json.slide ?? null));
  const coded = [json, same].find((p) => p && typeof p.code === 'string' && p.code);
  return coded ? problemText({ ...coded, message: json.error }) : errorText(result);
}

// Files each problem under the slide it names; `sent` is the list of slides the server
// was given (the deck may have been reordered since), `forms` what it was sent as.
export function applyProblems(sent, forms, problems) {
  for (const slide of state.deck.slides) slide.problems = [];
  deckProblems = [];
  for (const raw of problems) {
    if (!raw || typeof raw !== 'object') continue;
    const problem = {
      field: typeof raw.field === 'string' && raw.field ? raw.field : null,
      message: problemText(raw),
    };
    const slide = Number.isInteger(raw.slide) ? sent[raw.slide] : null;
    // Whether the field was still blank in what was checked (not in what is typed now,
    // or the first letter typed would bring up the old complaint until the next check).
    if (slide) slide.problems.push({ ...problem, blank: stillBlank(forms[raw.slide], problem.field) });
    else deckProblems.push(problem);
  }
  emit('checked');
}

// ---- Which problems show ------------------------------------------------------

const blank = (value) => !String(value ?? '').trim();

// Before the first try to save, a blank field is still being filled in: say nothing yet.
// `form` is a slide as sent to the server.
function stillBlank(form, field) {
  if (!form) return false;
  if (field === null) return blank(form.title);
  if (field === 'title' || field === 'text' || field === 'notes') return blank(form[field]);
  if (field === 'options') return form.options.some(blank);
  const row = /^options\.(\d+)$/.exec(field);
  if (row) return blank(form.options[Number(row[1])]);
  if (field === 'id' || field === 'settings.id') return !form.id;
  if (field.startsWith('settings.')) return blank(form.settings[field.slice(9)]);
  return false;
}

export function shownProblems(slide) {
  const shown = slide.problems.filter((p) => slide.checked || !p.blank);
  for (const [name, message] of Object.entries(slide.unreadable)) shown.push({ field: `settings.${name}`, message });
  if (slide.serverError) shown.push({ field: null, message: slide.serverError });
  return shown;
}

export const needsAttention = (slide) => shownProblems(slide).length > 0;
export const deckTitleProblems = () => deckProblems;

// Form order, so the first problem reported is the first one on screen.
function rank(slide, field) {
  if (field === null) return 0;
  if (field === 'title') return 1;
  if (field === 'options') return 2;
  const row = /^options\.(\d+)$/.exec(field);
  if (row) return 3 + Number(row[1]) / 1000;
  if (field.startsWith('settings.') && field !== 'settings.id') {
    const at = settingsOf(slide.kind, slide.settings).findIndex((s) => `settings.${s.name}` === field);
    return 4 + (at < 0 ? 999 : at) / 1000;
  }
  if (field === 'id' || field === 'settings.id') return 5;
  if (field === 'text') return 6;
  if (field === 'notes') return 7;
  return 8;
}

export function firstProblemOf(slide) {
  const shown = shownProblems(slide);
  if (!shown.length) return null;
  return shown.slice().sort((a, b) => rank(slide, a.field) - rank(slide, b.field))[0];
}

// The first slide with something to fix, with every blank now counting.
export function firstProblem() {
  for (const slide of state.deck.slides) slide.checked = true;
  if (deckProblems.length) return { index: null, problem: deckProblems[0] };
  for (let i = 0; i < state.deck.slides.length; i++) {
    const problem = firstProblemOf(state.deck.slides[i]);
    if (problem) return { index: i, problem };
  }
  return null;
}

// ---- Where they show ------------------------------------------------------------

// The input a field name points at, and the slot its message goes in.
function place(field) {
  if (field === null) return null;
  if (field === 'title' || field === 'text' || field === 'notes') return { input: field, slot: `${field}-error` };
  if (field === 'options') return { input: null, slot: 'options-error' };
  const row = /^options\.(\d+)$/.exec(field);
  if (row && $(`option-${row[1]}`)) return { input: `option-${row[1]}`, slot: `option-${row[1]}-error` };
  if (field === 'id' || field === 'settings.id') return { input: 'question-id', slot: 'question-id-error' };
  if (field.startsWith('settings.')) {
    const name = field.slice(9);
    const input = [...document.querySelectorAll('#settings [data-setting]')].find((e) => e.dataset.setting === name);
    if (input) return { input: input.id, slot: `${input.id}-error` };
  }
  return null;
}

// Every error slot of the form, from the current slide's problems; inputs are not rebuilt.
export function paintProblems() {
  const slide = current();
  const messages = new Map();
  const add = (slot, message) => messages.set(slot, [...(messages.get(slot) || []), message]);
  const invalid = new Set();
  if (slide) {
    for (const problem of shownProblems(slide)) {
      const where = place(problem.field);
      if (!where) {
        add('slide-error', problem.message);
        continue;
      }
      add(where.slot, problem.message);
      if (where.input) invalid.add(where.input);
    }
  }
  const slots = ['slide-error', 'title-error', 'text-error', 'notes-error', 'options-error', 'question-id-error',
    ...[...document.querySelectorAll('#options .field-error, #settings .field-error')].map((e) => e.id)];
  for (const slot of slots) showError(slot, (messages.get(slot) || []).join(' '));
  const inputs = ['title', 'text', 'notes', 'question-id',
    ...[...document.querySelectorAll('#options input, #settings [data-setting]')].map((e) => e.id)];
  for (const id of inputs) markInvalid(id, invalid.has(id));
  // The deck's own problems: its title beside the title, anything else in a strip of its own.
  const titleMessage = deckProblems.filter((p) => p.field === 'title').map((p) => p.message).join(' ');
  showError('deck-title-error', titleMessage);
  markInvalid('deck-title', !!titleMessage);
  showError('deck-error', deckProblems.filter((p) => p.field !== 'title').map((p) => p.message).join(' '));
}

// Puts the cursor where the problem is.
export function focusProblem(field) {
  if (field === 'options') {
    // A quiz with no option ticked: the problem is the Correct boxes, not the list's length.
    const boxes = [...document.querySelectorAll('#options input[type=checkbox]')];
    if (current() && hasMarks(current().kind) && boxes.length && !boxes.some((box) => box.checked)) {
      boxes[0].focus();
      return;
    }
    const empty = [...document.querySelectorAll('#options input')].find((input) => !input.value.trim());
    const add = $('add-option');
    (empty || (add.disabled ? $('option-0') : add) || $('title')).focus();
    return;
  }
  const where = place(field);
  const target = where && where.input ? $(where.input) : null;
  (target || $('title')).focus();
}
