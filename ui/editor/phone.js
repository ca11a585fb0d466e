// What a phone shows for the previewed question, drawn simply from the question the
// server previewed: the instruction, then the inputs. Text only. A kind this file does
// not draw yet falls back to its list of options.
import { $, el, letter } from './dom.js';

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const items = (q) => (Array.isArray(q.options) ? q.options.map(String) : []);
const label = (text) => el('span', { className: 'phone-label', text });

function lettered(q) {
  return items(q).map((text, i) => el('li', { className: 'phone-choice' },
    el('span', { className: 'phone-letter', text: letter(i) }), label(text)));
}

function multipleHow(q) {
  const max = num(q.max);
  return max !== null && max >= 1 && max < items(q).length ? `Pick up to ${max}.` : 'Pick one or more.';
}

function scale(q) {
  const min = num(q.min) ?? 1;
  const max = num(q.max) ?? 5;
  const labels = Array.isArray(q.labels) && q.labels.length === 2 ? q.labels.map(String) : null;
  const rows = items(q).length ? items(q) : [String(q.prompt ?? '')];
  return rows.map((text) => {
    const points = el('span', { className: 'phone-points' });
    for (let v = min; v <= max && v - min < 100; v++) points.append(el('span', { className: 'phone-point', text: String(v) }));
    const li = el('li', { className: 'phone-scale' }, label(text), points);
    if (labels) {
      li.append(el('span', { className: 'phone-ends' },
        el('span', { text: labels[0] }), el('span', { text: labels[1] })));
    }
    return li;
  });
}

function scaleHow(q) {
  return `Tap a number from ${num(q.min) ?? 1} to ${num(q.max) ?? 5}${items(q).length > 1 ? ' on each line' : ''}.`;
}

// One field and its button: a number, an open answer, a typed quiz answer.
function fieldRow(placeholder, button) {
  const field = el('input', { type: 'text', className: 'phone-number', disabled: true, placeholder });
  return [el('li', { className: 'phone-number-row' }, field, el('span', { className: 'phone-send', text: button }))];
}

const number = () => fieldRow('Your number', 'Send');

function numberHow(q) {
  const min = num(q.min);
  const max = num(q.max);
  if (min !== null && max !== null) return `Type a number from ${min} to ${max}.`;
  if (min !== null) return `Type a number of at least ${min}.`;
  if (max !== null) return `Type a number of at most ${max}.`;
  return 'Type a number.';
}

function ranking(q) {
  return items(q).map((text, i) => el('li', { className: 'phone-rank' },
    el('span', { className: 'phone-place', text: String(i + 1) }), label(text),
    el('span', { className: 'phone-handle', text: '↑ ↓', attrs: { 'aria-hidden': 'true' } })));
}

function points(q) {
  return items(q).map((text) => el('li', { className: 'phone-share' },
    label(text), el('span', { className: 'phone-amount', text: '0' })));
}

function pointsHow(q) {
  const total = num(q.total);
  return total !== null ? `Share ${total} points between them.` : 'Share the points between them.';
}

// Text fields: one per word a word cloud takes, or the one box of an open question.
function words(q) {
  const count = Math.max(1, Math.min(10, num(q.max) ?? 1));
  const rows = [];
  for (let i = 0; i < count; i++) {
    const field = el('input', { type: 'text', className: 'phone-number', disabled: true, placeholder: count > 1 ? `Word ${i + 1}` : 'Your word' });
    rows.push(el('li', { className: 'phone-number-row' }, field));
  }
  rows.push(el('li', { className: 'phone-number-row' }, el('span', { className: 'phone-send', text: 'Submit' })));
  return rows;
}

const post = () => fieldRow('Your answer', 'Submit');

function postHow(q) {
  const max = num(q.max) ?? 1;
  const each = max > 1 ? `Up to ${max} answers, ` : 'One answer, ';
  return `${each}at most 280 characters${q.moderated ? '; the presenter approves each first' : ''}.`;
}

const VIEWS = {
  single: { how: () => 'Pick one.', rows: lettered },
  multiple: { how: multipleHow, rows: lettered },
  scale: { how: scaleHow, rows: scale },
  number: { how: numberHow, rows: number },
  ranking: { how: () => 'Put them in order, the best first.', rows: ranking },
  points: { how: pointsHow, rows: points },
  wordcloud: { how: (q) => ((num(q.max) ?? 1) > 1 ? `Type up to ${num(q.max)} words or short phrases.` : 'Type a word or a short phrase.'), rows: words },
  open: { how: postHow, rows: post },
  quiz: { how: () => 'Tap one answer. It cannot be changed.', rows: lettered },
  'quiz-text': { how: () => 'Type the answer, at most 100 characters. It cannot be changed.', rows: () => fieldRow('Your answer', 'Send') },
};

const isQuiz = (q) => q.kind === 'quiz' || q.kind === 'quiz-text';

const seconds = (n) => `${Math.floor(n / 60)}:${String(n % 60).padStart(2, '0')}`;

// `question` is the server's, or null for a slide without one.
export function paintPhone(question) {
  const box = $('phone-preview');
  box.hidden = !question;
  const list = $('phone-options');
  list.textContent = '';
  if (!question) return;
  const view = VIEWS[question.kind] || { how: () => '', rows: lettered };
  box.dataset.kind = String(question.kind);
  $('phone-kind').textContent = view.how(question);
  list.append(...view.rows(question));
  const notes = [];
  const time = num(question.time);
  if (time !== null) notes.push(`A countdown of ${seconds(time)} starts when voting opens.`);
  if (question.results_phones === true) notes.push('Phones see the results once voting closes.');
  if (isQuiz(question)) {
    const points = num(question.points);
    if (points !== null) notes.push(`A right answer earns up to ${points} points.`);
    notes.push('Phones ask for a nickname before the first quiz question, and show each player’s score once you reveal the answer.');
  }
  $('phone-notes').textContent = notes.join(' ');
  $('phone-notes').hidden = !notes.length;
}
