// A slide as the page holds it, and as it is sent to the server (the form of the
// editor API). Settings are strings exactly as written in the deck; empty means unset.
import { state } from './state.js';
import { affectsAnswers, carried, effective, hasMarks, isQuestion, joinMark, optionsOf, settingsOf, splitMark } from './kinds.js';

let nextKey = 1;

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// The list as sent: trimmed, and for a kind with marks each row written "[x] text" or "[ ] text".
function wireRows(kind, options) {
  if (!hasMarks(kind)) return options.map((o) => o.trim());
  return options.map((o) => {
    const { marked, text } = splitMark(o);
    return joinMark(marked, text.trim());
  });
}

function settingsFrom(s) {
  const settings = {};
  if (s.settings && typeof s.settings === 'object') {
    for (const [name, value] of Object.entries(s.settings)) {
      if (value !== null && value !== undefined && String(value) !== '') settings[name] = String(value);
    }
  }
  return settings;
}

export function fromServer(s) {
  const kind = typeof s.kind === 'string' && s.kind ? s.kind : 'content';
  const options = Array.isArray(s.options) ? s.options.map(String) : [];
  const settings = settingsFrom(s);
  return {
    key: nextKey++,
    original: Number.isInteger(s.original) ? s.original : null,
    kind,
    title: String(s.title ?? ''),
    text: String(s.text ?? ''),
    notes: String(s.notes ?? ''),
    options,
    settings,
    id: typeof s.id === 'string' && s.id ? s.id : null,
    answers: Number(s.answers) > 0 ? Number(s.answers) : 0,
    // A content slide that shows the audience Q&A: kept as it is when the slide is edited.
    qa: s.qa === true,
    // A content slide showing the quiz's leaderboard or podium, kept the same way. Undefined when
    // the server's form has no such field: then it is not sent back either.
    scores: s.scores === undefined ? undefined : (typeof s.scores === 'string' && s.scores ? s.scores : null),
    // What the stored answers were given against: changing it may discard them.
    from: { kind, options: wireRows(kind, options), settings: { ...settings } },
    // Settings of kinds the slide had before, so switching back restores them.
    stash: {},
    // Blank fields are only reported once the user tried to save, not while a new slide is empty.
    checked: false,
    // Problems the server found in this slide ({field, message}), from the last check.
    problems: [],
    // Numbers the browser could not read (a number field holding "5x"), by setting name.
    unreadable: {},
    // A refusal of the last save that named this slide without saying which field.
    serverError: '',
  };
}

// A new slide: a question starts with as many empty rows as its kind needs at least.
export function blank(kind, title) {
  const list = optionsOf(kind);
  return fromServer({
    original: null, kind, title: title || '', text: '', notes: '',
    options: list ? Array(list.min).fill('') : [], settings: {}, id: null, answers: 0,
  });
}

export function duplicate(slide) {
  const copy = fromServer({ ...wire(slide), original: null, id: null, answers: 0 });
  copy.options = slide.options.slice();
  copy.settings = { ...slide.settings };
  copy.stash = structuredClone(slide.stash);
  return copy;
}

// Settings as sent: trimmed, unset ones left out, in a stable order.
function wireSettings(slide) {
  const out = {};
  for (const name of Object.keys(slide.settings).sort()) {
    const value = String(slide.settings[name]).trim();
    if (value) out[name] = value;
  }
  return out;
}

export function wire(slide) {
  const list = optionsOf(slide.kind);
  return {
    original: slide.original,
    kind: slide.kind,
    title: slide.title.trim(),
    text: slide.text,
    notes: slide.notes,
    options: list ? wireRows(slide.kind, slide.options) : [],
    settings: isQuestion(slide.kind) ? wireSettings(slide) : {},
    id: slide.id,
    answers: slide.answers,
    qa: !isQuestion(slide.kind) && slide.qa === true,
    ...(slide.scores === undefined ? {} : { scores: isQuestion(slide.kind) ? null : slide.scores }),
  };
}

export const snapshot = () => {
  const { deck } = state;
  return deck ? JSON.stringify({ title: deck.title, slides: deck.slides.map(wire) }) : '';
};
export const isDirty = () => !!state.deck && snapshot() !== state.baseline;

// A new kind keeps the settings it shares with the old one and gets back its own
// earlier values; its list grows to the fewest rows it takes.
export function changeKind(slide, kind) {
  const old = slide.kind;
  if (kind === old) return;
  slide.stash[old] = { ...slide.settings };
  const restored = slide.stash[kind] || {};
  const settings = {};
  for (const s of settingsOf(kind)) {
    const value = carried(old, kind, s.name) ? slide.settings[s.name] : restored[s.name];
    if (value !== undefined && value !== '') settings[s.name] = value;
  }
  slide.kind = kind;
  slide.settings = settings;
  slide.unreadable = {};
  // Marks mean nothing to a kind without them: the rows keep their text.
  if (hasMarks(old) && !hasMarks(kind)) slide.options = slide.options.map((o) => splitMark(o).text);
  const list = optionsOf(kind);
  if (list) while (slide.options.length < list.min) slide.options.push('');
}

// How many answers saving would throw away: those given against another kind, other
// options, or other answer-shaping settings than the slide has now.
export function discards(slide) {
  if (!slide.answers || !slide.id || !isQuestion(slide.from.kind)) return 0;
  if (slide.kind !== slide.from.kind) return slide.answers;
  if (optionsOf(slide.kind) && !sameList(wireRows(slide.kind, slide.options), slide.from.options)) return slide.answers;
  const changed = settingsOf(slide.kind, slide.settings).some((s) => affectsAnswers(slide.kind, s)
    && effective(s, slide.settings[s.name]) !== effective(s, slide.from.settings[s.name]));
  return changed ? slide.answers : 0;
}
