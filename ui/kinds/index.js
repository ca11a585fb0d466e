// Picks the results view for a question's kind; a kind this page does not know gets a sentence, not a crash.
//
// Every kind module exports:
//   build(container, question)  – the empty results view, into `container` (an element)
//   paint(container, question, results, { revealed, projector, deadline, offset, voting })
//     – updates that view in place from a `results` object (null: no answers yet); the
//       timer's deadline, the server clock's offset and the voting state are for views that
//       draw their own countdown (quiz), and may be left out
import * as choice from './choice.js';
import * as number from './number.js';
import * as open from './open.js';
import * as points from './points.js';
import * as quiz from './quiz.js';
import * as ranking from './ranking.js';
import * as scale from './scale.js';
import * as wordcloud from './wordcloud.js';
import { t } from '../lib/i18n.js';

export const KINDS = Object.freeze({
  single: choice, multiple: choice, scale, number, ranking, points, wordcloud, open, quiz, 'quiz-text': quiz,
});

const unsupported = {
  build(container) {
    clear(container);
    container.classList.add('view');
    container.dataset.kind = 'unsupported';
    const p = document.createElement('p');
    p.className = 'unsupported';
    p.textContent = t('kinds.unsupported');
    container.append(p);
  },
  paint() {},
};

// Empties a container that held a results view (the slide has no question now).
export function clear(container) {
  container.textContent = '';
  for (const name of ['kind', 'density', 'columns']) delete container.dataset[name];
  container.style.removeProperty('--rows');
}

export function viewFor(kind) {
  return Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind] : unsupported;
}

// A slip in one kind's drawing must not take the page down in front of a room.
export function build(container, question) {
  const kind = viewFor(question && question.kind);
  try {
    kind.build(container, question);
  } catch (err) {
    console.error('Handsup: cannot draw this question', err);
    unsupported.build(container);
  }
}

export function paint(container, question, results, options = {}) {
  try {
    viewFor(question && question.kind).paint(container, question, results || null, options);
  } catch (err) {
    console.error('Handsup: cannot draw these results', err);
  }
}
