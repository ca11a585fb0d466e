// What a phone shows for the previewed question, drawn simply from the question the
// server previewed: the instruction, then the inputs. Text only. A kind this file does
// not draw yet falls back to its list of options.
import { t } from '../lib/i18n.js';
import { $, count, el, letter, number } from './dom.js';

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const items = (q) => (Array.isArray(q.options) ? q.options.map(String) : []);
const label = (text) => el('span', { className: 'phone-label', text });

function lettered(q) {
  return items(q).map((text, i) => el('li', { className: 'phone-choice' },
    el('span', { className: 'phone-letter', text: letter(i) }), label(text)));
}

function multipleHow(q) {
  const max = num(q.max);
  return max !== null && max >= 1 && max < items(q).length ? count(max, 'editor.phone.pickUpTo') : t('editor.phone.pickSome');
}

function scale(q) {
  const min = num(q.min) ?? 1;
  const max = num(q.max) ?? 5;
  const labels = Array.isArray(q.labels) && q.labels.length === 2 ? q.labels.map(String) : null;
  const rows = items(q).length ? items(q) : [String(q.prompt ?? '')];
  return rows.map((text) => {
    const points = el('span', { className: 'phone-points' });
    for (let v = min; v <= max && v - min < 100; v++) points.append(el('span', { className: 'phone-point', text: number(v) }));
    const li = el('li', { className: 'phone-scale' }, label(text), points);
    if (labels) {
      li.append(el('span', { className: 'phone-ends' },
        el('span', { text: labels[0] }), el('span', { text: labels[1] })));
    }
    return li;
  });
}

function scaleHow(q) {
  const range = { min: number(num(q.min) ?? 1), max: number(num(q.max) ?? 5) };
  return t(items(q).length > 1 ? 'editor.phone.scaleEach' : 'editor.phone.scale', range);
}

// One field and its button: a number, an open answer, a typed quiz answer.
function fieldRow(placeholder, button) {
  const field = el('input', { type: 'text', className: 'phone-number', disabled: true, placeholder });
  return [el('li', { className: 'phone-number-row' }, field, el('span', { className: 'phone-send', text: button }))];
}

const numberRow = () => fieldRow(t('editor.phone.yourNumber'), t('editor.phone.send'));

function numberHow(q) {
  const min = num(q.min);
  const max = num(q.max);
  const range = { min: number(min), max: number(max) };
  if (min !== null && max !== null) return t('editor.phone.numberRange', range);
  if (min !== null) return t('editor.phone.numberMin', range);
  if (max !== null) return t('editor.phone.numberMax', range);
  return t('editor.phone.numberAny');
}

function ranking(q) {
  return items(q).map((text, i) => el('li', { className: 'phone-rank' },
    el('span', { className: 'phone-place', text: number(i + 1) }), label(text),
    el('span', { className: 'phone-handle', text: '↑ ↓', attrs: { 'aria-hidden': 'true' } })));
}

function points(q) {
  return items(q).map((text) => el('li', { className: 'phone-share' },
    label(text), el('span', { className: 'phone-amount', text: '0' })));
}

function pointsHow(q) {
  const total = num(q.total);
  return total !== null ? count(total, 'editor.phone.points') : t('editor.phone.pointsAny');
}

// Text fields: one per word a word cloud takes, or the one box of an open question.
function words(q) {
  const fields = Math.max(1, Math.min(10, num(q.max) ?? 1));
  const rows = [];
  for (let i = 0; i < fields; i++) {
    const placeholder = fields > 1 ? t('editor.phone.wordN', { number: number(i + 1) }) : t('editor.phone.yourWord');
    const field = el('input', { type: 'text', className: 'phone-number', disabled: true, placeholder });
    rows.push(el('li', { className: 'phone-number-row' }, field));
  }
  rows.push(el('li', { className: 'phone-number-row' }, el('span', { className: 'phone-send', text: t('editor.phone.submit') })));
  return rows;
}

const post = () => fieldRow(t('editor.phone.yourAnswer'), t('editor.phone.submit'));

// What the phone page allows: a post of 280 characters, a typed quiz answer of 100.
const POST_CHARS = 280;
const QUIZ_CHARS = 100;

function postHow(q) {
  const max = num(q.max) ?? 1;
  const chars = { chars: number(POST_CHARS) };
  if (max > 1) return count(max, q.moderated ? 'editor.phone.openManyModerated' : 'editor.phone.openMany', chars);
  return t(q.moderated ? 'editor.phone.openModerated' : 'editor.phone.open', chars);
}

function wordsHow(q) {
  const max = num(q.max) ?? 1;
  return max > 1 ? count(max, 'editor.phone.words') : t('editor.phone.word');
}

const VIEWS = {
  single: { how: () => t('editor.phone.pickOne'), rows: lettered },
  multiple: { how: multipleHow, rows: lettered },
  scale: { how: scaleHow, rows: scale },
  number: { how: numberHow, rows: numberRow },
  ranking: { how: () => t('editor.phone.ranking'), rows: ranking },
  points: { how: pointsHow, rows: points },
  wordcloud: { how: wordsHow, rows: words },
  open: { how: postHow, rows: post },
  quiz: { how: () => t('editor.phone.quiz'), rows: lettered },
  'quiz-text': {
    how: () => t('editor.phone.quizText', { chars: number(QUIZ_CHARS) }),
    rows: () => fieldRow(t('editor.phone.yourAnswer'), t('editor.phone.send')),
  },
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
  if (time !== null) notes.push(t('editor.phone.countdown', { time: seconds(time) }));
  if (question.results_phones === true) notes.push(t('editor.phone.results'));
  if (isQuiz(question)) {
    const points = num(question.points);
    if (points !== null) notes.push(count(points, 'editor.phone.quizPoints'));
    notes.push(t('editor.phone.nickname'));
  }
  $('phone-notes').textContent = notes.join(' ');
  $('phone-notes').hidden = !notes.length;
}
