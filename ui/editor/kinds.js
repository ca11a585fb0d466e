// The question kinds as the server describes them (GET /api/kinds). Nothing here knows
// a kind by name: menus, option lists and settings fields all come from this list.
// Their words are the server's English, said in the page's language where the tables have
// them: `kind.<kind>`, `kind.<kind>.list`, `kind.<kind>.row`, `setting.<name>` for the settings
// every kind takes and `setting.<kind>.<name>` for a kind's own, each with its `.help`.
import { has, t, tOr } from '../lib/i18n.js';

let list = [];
const byKind = new Map();

const CONTENT = 'content';

// `common`: one of the settings every kind takes (timer, who sees results), listed apart.
// `kind`: the kind whose own setting it is (a setting's name means different things in
// different kinds); none for a setting of a kind the server did not describe.
function setting(raw, kind, common = false) {
  const type = ['integer', 'number', 'text', 'choice'].includes(raw.type) ? raw.type : 'text';
  const name = String(raw.name);
  const english = typeof raw.label === 'string' && raw.label ? raw.label : name;
  const key = common ? `setting.${name}` : kind ? `setting.${kind}.${name}` : null;
  const help = typeof raw.help === 'string' ? raw.help : '';
  return {
    name,
    label: key ? tOr(key, english) : english,
    // The server's own label: the same setting in two kinds is told by it, whatever the language.
    english,
    type,
    default: raw.default === undefined || raw.default === null ? '' : String(raw.default),
    // An empty choice is the unset value, which every menu offers anyway.
    choices: Array.isArray(raw.choices) ? raw.choices.map(String).filter(Boolean) : [],
    help: key ? tOr(`${key}.help`, help) : help,
    // Optional: the server may say outright whether changing this setting discards answers.
    affectsAnswers: typeof raw.affects_answers === 'boolean' ? raw.affects_answers : null,
    common,
  };
}

// "Options" → "option": the name of one row, for labels such as "Option A", when the tables
// have none for the kind (one the server describes and Handsup's tables do not know yet).
function singular(label) {
  const one = /[^s]s$/i.test(label) ? label.slice(0, -1) : label;
  return one.charAt(0).toLowerCase() + one.slice(1);
}

function options(raw, kind) {
  if (!raw || typeof raw !== 'object') return null;
  const count = (n, fallback) => (Number.isInteger(n) && n >= 0 ? n : fallback);
  const label = tOr(`kind.${kind}.list`, typeof raw.label === 'string' && raw.label ? raw.label : t('editor.list'));
  return {
    label,
    row: has(`kind.${kind}.row`) ? t(`kind.${kind}.row`) : singular(label),
    min: count(raw.min, 0),
    max: count(raw.max, Infinity),
  };
}

// Throws when the answer is not a list of kinds: the editor cannot work without one.
export function setKinds(data) {
  if (!Array.isArray(data)) throw new Error(t('editor.noKindsList'));
  list = [];
  byKind.clear();
  for (const raw of data) {
    if (!raw || typeof raw.kind !== 'string' || !raw.kind || byKind.has(raw.kind)) continue;
    // The kind's own settings, then the common ones (sent apart as `common`, or among its own).
    const valid = (list) => (Array.isArray(list) ? list : []).filter((s) => s && typeof s.name === 'string' && s.name);
    const settings = valid(raw.settings).map((s) => setting(s, raw.kind));
    for (const s of valid(raw.common)) {
      if (!settings.some((own) => own.name === s.name)) settings.push(setting(s, raw.kind, true));
    }
    const kind = {
      kind: raw.kind,
      label: tOr(`kind.${raw.kind}`, typeof raw.label === 'string' && raw.label ? raw.label : raw.kind),
      options: options(raw.options, raw.kind),
      // Whether each row carries a right-or-wrong mark (a quiz): said on the kind or on its list.
      marks: raw.marks === true || !!(raw.options && raw.options.marks === true),
      settings,
    };
    byKind.set(kind.kind, kind);
    if (kind.kind !== CONTENT) list.push(kind);
  }
  if (!list.length) throw new Error(t('editor.noKinds'));
}

// The kinds a question can have, in the server's order.
export const questionKinds = () => list;
export const isQuestion = (kind) => kind !== CONTENT;
export const kindInfo = (kind) => byKind.get(kind) || null;
export const firstKind = () => list[0].kind;

export function kindLabel(kind) {
  if (kind === CONTENT) return byKind.has(CONTENT) ? byKind.get(CONTENT).label : t('kind.content');
  return byKind.has(kind) ? byKind.get(kind).label : kind;
}

// What the kind calls its list and one row of it ({label, row, min, max}), or null when it takes none.
// A kind the server did not describe keeps a plain list, so nothing is lost.
export function optionsOf(kind) {
  if (!isQuestion(kind)) return null;
  const info = byKind.get(kind);
  if (!info) return { label: t('editor.list'), row: t('editor.row'), min: 0, max: Infinity };
  return info.options;
}

// Settings fields for a kind; for an unknown kind, plain text fields for what it has.
export function settingsOf(kind, values) {
  if (!isQuestion(kind)) return [];
  const info = byKind.get(kind);
  if (info) return info.settings;
  return Object.keys(values || {}).map((name) => setting({ name, type: 'text' }, null));
}

// Rows of a kind with marks are sent as the deck writes them, "[x] Paris" (right) or "[ ] Lyon".
export const hasMarks = (kind) => !!(byKind.get(kind) || {}).marks;

const MARK = /^\s*\[([ xX]?)\]\s?/;

// "[x] Paris" → { marked: true, text: "Paris" }; a row without a mark is not marked.
export function splitMark(row) {
  const text = String(row ?? '');
  const found = MARK.exec(text);
  if (!found) return { marked: false, text };
  return { marked: found[1].toLowerCase() === 'x', text: text.slice(found[0].length) };
}

// An empty unmarked row stays empty, so that it counts as blank like any other.
export function joinMark(marked, text) {
  if (!marked && !text) return '';
  return `${marked ? '[x]' : '[ ]'}${text ? ` ${text}` : ''}`;
}

// The name of one row of the kind's list, in lower case ("option"), for labels such as "Option A".
export function rowName(kind) {
  const list = optionsOf(kind);
  return list ? list.row : t('editor.row');
}

const sameSetting = (a, b) => !!a && !!b && a.name === b.name && a.type === b.type && a.english === b.english;

// The same setting (name, type and the server's label) in another kind: its value carries over.
export function carried(fromKind, toKind, name) {
  const from = settingsOf(fromKind).find((s) => s.name === name);
  const to = settingsOf(toKind).find((s) => s.name === name);
  return sameSetting(from, to);
}

// Whether changing a setting invalidates answers already given. The server may say so in
// the schema; otherwise a setting every kind shares (timer, who sees results) or a
// free-text one (labels) is taken to leave answers alone, and any other may not.
// Only a warning: the server's 409 on save is what counts.
export function affectsAnswers(kind, s) {
  if (s.affectsAnswers !== null) return s.affectsAnswers;
  if (s.common || s.type === 'text') return false;
  const everywhere = list.every((k) => k.settings.some((other) => sameSetting(other, s)));
  return !everywhere;
}

// The value a setting has in effect: as written, or the kind's default when unset.
export function effective(s, value) {
  const written = String(value ?? '').trim();
  return written || s.default;
}
