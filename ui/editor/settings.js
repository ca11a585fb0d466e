// The settings fields of a question, built from its kind's description: a number field
// for integer and number settings, a text field for text, a menu for a choice, and a
// checkbox for a choice with a single value (such as results=phones).
import { t, tOr } from '../lib/i18n.js';
import { $, el, setMessage } from './dom.js';
import { current, emit } from './state.js';
import { settingsOf } from './kinds.js';

const fieldId = (name) => `setting-${name}`;

// What a menu shows for a value of a choice (`choice.results.phones`: "Phones too"); the value
// itself, a word of the deck file, stays the option's value, and shows as it is when the tables
// have no words for it.
const shown = (s, value) => tOr(`choice.${s.name}.${value}`, value);

// A choice with one value that is either set or not is a yes/no question.
const isSwitch = (s, value) => s.type === 'choice' && s.choices.length === 1 && (!value || value === s.choices[0]);

function input(s, value) {
  const id = fieldId(s.name);
  const common = { id, dataset: { setting: s.name }, attrs: { 'aria-describedby': `${id}-hint ${id}-error` } };
  if (isSwitch(s, value)) {
    return el('input', { ...common, type: 'checkbox', checked: value === s.choices[0] });
  }
  if (s.type === 'choice') {
    const select = el('select', common,
      el('option', { value: '', text: s.default ? t('editor.settingDefault', { value: shown(s, s.default) }) : t('editor.settingNotSet') }));
    const choices = value && !s.choices.includes(value) ? [...s.choices, value] : s.choices;
    for (const choice of choices) select.append(el('option', { value: choice, text: shown(s, choice) }));
    select.value = value;
    return select;
  }
  if (s.type === 'integer' || s.type === 'number') {
    const field = el('input', {
      ...common, type: 'number', value, autocomplete: 'off',
      step: s.type === 'integer' ? '1' : 'any',
      inputMode: s.type === 'integer' ? 'numeric' : 'decimal',
    });
    if (s.default) field.placeholder = s.default;
    return field;
  }
  const field = el('input', { ...common, type: 'text', value, autocomplete: 'off', spellcheck: true });
  if (s.default) field.placeholder = s.default;
  return field;
}

function row(s, value) {
  const id = fieldId(s.name);
  const field = input(s, value);
  const label = el('label', { htmlFor: id, text: s.label });
  const hint = el('p', { className: 'hint', id: `${id}-hint` });
  setMessage(hint, s.help);
  hint.hidden = !s.help;
  const error = el('p', { className: 'field-error', id: `${id}-error`, hidden: true, attrs: { role: 'alert' } });
  const wrap = el('div', { className: `setting ${field.type === 'checkbox' ? 'switch' : s.type}` });
  if (field.type === 'checkbox') wrap.append(el('div', { className: 'switch-line' }, field, label), hint, error);
  else wrap.append(label, field, hint, error);
  return wrap;
}

// Rebuilds the fields for the selected slide. The question's own id has its own field.
export function renderSettings() {
  const slide = current();
  const box = $('settings');
  box.textContent = '';
  if (!slide) return;
  for (const s of settingsOf(slide.kind, slide.settings)) {
    if (s.name === 'id') continue;
    box.append(row(s, slide.settings[s.name] ?? ''));
  }
}

function read(target) {
  const slide = current();
  const name = target.dataset.setting;
  if (!slide || !name) return;
  const s = settingsOf(slide.kind, slide.settings).find((x) => x.name === name);
  let value = target.value;
  if (target.type === 'checkbox') value = target.checked && s ? s.choices[0] : '';
  if (value === '') delete slide.settings[name];
  else slide.settings[name] = value;
  // The browser keeps what it cannot read as a number to itself; say so rather than drop it.
  if (target.type === 'number' && target.validity.badInput) slide.unreadable[name] = t('editor.typeNumber');
  else delete slide.unreadable[name];
  emit('edited', {});
}

export function bindSettings() {
  const box = $('settings');
  box.addEventListener('input', (e) => { if (e.target.type !== 'checkbox' && e.target.tagName !== 'SELECT') read(e.target); });
  box.addEventListener('change', (e) => { if (e.target.type === 'checkbox' || e.target.tagName === 'SELECT') read(e.target); });
}
