// The form for the selected slide: kind, title, its list, settings, text and notes.
import { t } from '../lib/i18n.js';
import { $, count, el, letter, number } from './dom.js';
import { current, emit, state } from './state.js';
import { hasMarks, isQuestion, joinMark, kindLabel, optionsOf, questionKinds, rowName, splitMark } from './kinds.js';
import { changeKind, discards } from './model.js';
import { paintProblems } from './problems.js';
import { renderSettings } from './settings.js';

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function renderForm() {
  const slide = current();
  $('form').hidden = !slide;
  if (!slide) return;
  const question = isQuestion(slide.kind);
  $('form-heading').textContent = t(question ? 'editor.headingQuestion' : 'editor.headingContent',
    { slide: number(state.selected + 1), count: number(state.deck.slides.length) });
  $('kind-field').hidden = !question;
  $('settings-field').hidden = !question;
  if (question) renderKindMenu(slide.kind);
  $('title-label').textContent = t(question ? 'editor.question' : 'editor.title');
  $('title-hint').textContent = t(question ? 'editor.questionHint' : 'editor.titleHint');
  $('text-label').textContent = t(question ? 'editor.extraText' : 'editor.text');
  $('title').value = slide.title;
  $('text').value = slide.text;
  $('notes').value = slide.notes;
  $('question-id').value = slide.id || '';
  renderOptions();
  renderSettings();
  paintForm();
}

// The kinds the server offers; a kind it did not describe stays in the menu as it is.
function renderKindMenu(kind) {
  const select = $('kind');
  select.textContent = '';
  const kinds = questionKinds().map((k) => k.kind);
  if (!kinds.includes(kind)) kinds.push(kind);
  for (const k of kinds) select.append(el('option', { value: k, text: kindLabel(k) }));
  select.value = kind;
}

// ---- The list (options, statements, items…) ------------------------------------

export function renderOptions(focus) {
  const slide = current();
  const spec = slide ? optionsOf(slide.kind) : null;
  $('options-field').hidden = !spec;
  const list = $('options');
  list.textContent = '';
  if (!spec) return;
  const one = rowName(slide.kind);
  const marks = hasMarks(slide.kind);
  list.classList.toggle('marks', marks);
  $('options-legend').textContent = spec.label;
  const most = Number.isFinite(spec.max) ? spec.max : null;
  let hint;
  if (spec.min > 0) {
    hint = most ? t('editor.rowsRange', { min: number(spec.min), max: number(most) }) : count(spec.min, 'editor.rowsAtLeast');
  } else {
    hint = most ? count(most, 'editor.rowsUpTo') : t('editor.rowsAny');
  }
  $('options-hint').textContent = marks ? `${hint} ${t('editor.rowsTick')}` : hint;
  slide.options.forEach((row, i) => {
    const id = `option-${i}`;
    // A kind with marks keeps "[x] " or "[ ] " in front of the text: the box shows the text,
    // the checkbox the mark.
    const { marked, text } = marks ? splitMark(row) : { marked: false, text: row };
    const label = el('label', { htmlFor: id, className: 'letter' },
      el('span', { className: 'visually-hidden', text: `${capital(one)} ` }), letter(i));
    const names = { row: one, letter: letter(i) };
    const input = el('input', {
      type: 'text', id, autocomplete: 'off', value: text, dataset: { option: String(i) },
      attrs: { 'aria-describedby': `${id}-error` },
    });
    const mark = marks
      ? el('label', { className: 'mark' },
        el('input', { type: 'checkbox', id: `${id}-correct`, checked: marked, dataset: { mark: String(i) } }),
        // One box for both words, or the name is read "Correct : option A".
        el('span', {}, t('editor.rowCorrect'), el('span', { className: 'visually-hidden', text: t('editor.rowCorrectOf', names) })))
      : '';
    const buttons = el('span', { className: 'row-tools' },
      rowButton('↑', t('editor.rowUp', names), 'up', i, i === 0),
      rowButton('↓', t('editor.rowDown', names), 'down', i, i === slide.options.length - 1),
      rowButton('×', t('editor.rowRemove', names), 'remove', i, false));
    const error = el('p', { className: 'field-error', id: `${id}-error`, hidden: true });
    list.append(el('li', {}, label, input, mark, buttons, error));
  });
  const add = $('add-option');
  add.textContent = t('editor.rowAdd', { row: one });
  add.disabled = most !== null && slide.options.length >= most;
  if (focus) focus();
}

function rowButton(text, name, action, i, disabled) {
  return el('button', {
    type: 'button', text, title: name, disabled,
    attrs: { 'aria-label': name }, dataset: { action, option: String(i) },
  });
}

function focusRowButton(i, action) {
  const button = $('options').querySelector(`button[data-option="${i}"][data-action="${action}"]`);
  if (button) button.focus();
}

function editOption(i, action) {
  const options = current().options;
  let focus;
  if (action === 'up' && i > 0) {
    [options[i - 1], options[i]] = [options[i], options[i - 1]];
    focus = () => focusRowButton(i - 1, i - 1 === 0 ? 'down' : 'up');
  } else if (action === 'down' && i < options.length - 1) {
    [options[i + 1], options[i]] = [options[i], options[i + 1]];
    focus = () => focusRowButton(i + 1, i + 1 === options.length - 1 ? 'up' : 'down');
  } else if (action === 'remove') {
    options.splice(i, 1);
    focus = () => {
      const next = $(`option-${Math.min(i, options.length - 1)}`);
      (next || $('add-option')).focus();
    };
  } else {
    return;
  }
  renderOptions(focus);
  emit('edited', { list: true });
}

function addOption(after) {
  const slide = current();
  const spec = optionsOf(slide.kind);
  if (!spec || slide.options.length >= spec.max) return;
  const at = after === undefined ? slide.options.length : after + 1;
  slide.options.splice(at, 0, '');
  renderOptions(() => $(`option-${at}`).focus());
  emit('edited', {});
}

// ---- Notes that are not problems -------------------------------------------------

// Messages, marks, the answers note and the discard warning; inputs are left alone.
export function paintForm() {
  const slide = current();
  if (!slide) return;
  paintProblems();
  const lost = discards(slide);
  const warning = $('kind-warning');
  warning.textContent = lost ? count(lost, 'editor.discardWarning') : '';
  warning.hidden = !lost;
  const note = $('answers-note');
  note.textContent = slide.answers ? count(slide.answers, 'editor.answersInSession') : '';
  note.hidden = !slide.answers;
}

// ---- Events -------------------------------------------------------------------------

export function bindForm() {
  $('title').addEventListener('input', (e) => {
    current().title = e.target.value;
    emit('edited', { list: true });
  });
  $('text').addEventListener('input', (e) => {
    current().text = e.target.value;
    emit('edited', {});
  });
  $('notes').addEventListener('input', (e) => {
    current().notes = e.target.value;
    emit('edited', { preview: false });
  });
  $('question-id').addEventListener('input', (e) => {
    current().id = e.target.value.trim() || null;
    emit('edited', { preview: false });
  });

  $('kind').addEventListener('change', (e) => {
    const slide = current();
    changeKind(slide, e.target.value);
    renderOptions();
    renderSettings();
    emit('edited', { list: true });
  });

  $('options').addEventListener('input', (e) => {
    const i = Number(e.target.dataset.option);
    if (!Number.isInteger(i) || e.target.tagName !== 'INPUT') return;
    const slide = current();
    slide.options[i] = hasMarks(slide.kind)
      ? joinMark(splitMark(slide.options[i]).marked, e.target.value)
      : e.target.value;
    emit('edited', {});
  });
  $('options').addEventListener('change', (e) => {
    const i = Number(e.target.dataset.mark);
    if (!Number.isInteger(i) || e.target.type !== 'checkbox') return;
    const slide = current();
    slide.options[i] = joinMark(e.target.checked, splitMark(slide.options[i]).text);
    emit('edited', {});
  });
  $('options').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.target.tagName !== 'INPUT' || e.target.type !== 'text') return;
    e.preventDefault();
    const i = Number(e.target.dataset.option);
    const next = $(`option-${i + 1}`);
    if (next) next.focus();
    else addOption(i);
  });
  $('options').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (button) editOption(Number(button.dataset.option), button.dataset.action);
  });
  $('add-option').addEventListener('click', () => addOption());
  $('form').addEventListener('submit', (e) => e.preventDefault());
}
