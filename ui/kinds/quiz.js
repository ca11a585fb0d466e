// Results of quiz questions: `quiz` (options, the right ones marked in the deck) and `quiz-text`
// (typed answers, right when they match an accepted one).
//
// Until the speaker reveals the answer, the room sees only a large countdown and how many have
// answered: a spread of answers on the screen would tell the slow ones what the crowd picked.
// Once revealed, the spread, with the right option marked by a tick and the word "Correct" (not
// by its colour alone). The speaker's own view has the counts all along, the right answer marked
// as not shown to the room yet.
import {
  answersUnit, barList, barRow, count, element, formatNumber, prepareView, setBar, setText,
} from '../lib/bars.js';
import { plural, t } from '../lib/i18n.js';
import { letter, setColours } from '../lib/letters.js';
import { countdownText, durationText, msLeft } from '../lib/timer.js';

// Okabe–Ito green for what is right (as number questions mark their answer), and one grey for
// everything else: an option's own colour must not pass for "right" (option C is green).
const RIGHT_COLOUR = 2;
const OTHER_FILL = '#6e6e6e';
// The countdown repaints between server frames; a quarter second keeps "0:01" from lagging.
const TICK_MS = 250;
// The last seconds are drawn in red (the digits say the same).
const ENDING_MS = 10000;

// container → the parts of its view and the countdown's state.
const views = new WeakMap();

const isText = (question) => question.kind === 'quiz-text';

function setOther(li) {
  li.style.setProperty('--c', OTHER_FILL);
  li.style.setProperty('--ink', '#fff');
}

export function build(container, question) {
  const old = views.get(container);
  if (old) clearInterval(old.timer);
  const text = isText(question);
  const options = text ? [] : (question.options || []);
  prepareView(container, 'quiz', text ? 2 : options.length);

  const wait = element('div', 'quiz-wait');
  const clock = element('div', 'quiz-clock');
  const clockLabel = element('p', 'quiz-clock-label', t('summary.timeLeft'));
  const clockValue = element('p', 'quiz-clock-value');
  clock.append(clockLabel, clockValue);
  const answered = element('div', 'quiz-answered');
  const answeredValue = element('p', 'quiz-answered-value', '0');
  answered.append(answeredValue, element('p', 'quiz-answered-word', plural(0, 'quiz.answered')));
  wait.append(clock, answered);
  // Hidden until painted: the stage is fitted to the rows of the reveal as soon as this is
  // built, and the countdown (as tall as the view) would be measured as rows that overflow.
  wait.hidden = true;

  const reveal = element('div', 'quiz-reveal');
  const note = element('p', 'quiz-note', t('quiz.note'));
  reveal.append(note);
  let accepted = null;
  let right = null;
  let list;
  if (text) {
    accepted = element('p', 'quiz-accepted');
    accepted.append(element('span', 'quiz-accepted-label', t('quiz.accepted')), ' ', element('span', 'quiz-accepted-value'));
    list = barList('quiz-tally');
    const yes = barRow({ label: t('quiz.right'), badge: '✓', colourIndex: RIGHT_COLOUR });
    yes.dataset.verdict = 'right';
    const no = barRow({ label: t('quiz.wrong'), badge: '✗' });
    no.dataset.verdict = 'wrong';
    setOther(no);
    list.append(yes, no);
    reveal.append(accepted, list);
  } else {
    right = element('p', 'quiz-right');
    list = barList('quiz');
    options.forEach((label, i) => {
      const li = barRow({ option: i, label });
      li.insertBefore(element('span', 'verdict'), li.querySelector('.track'));
      list.append(li);
    });
    reveal.append(right, list);
  }
  container.append(wait, reveal);
  views.set(container, {
    wait, reveal, note, accepted, right, list, clockLabel, clockValue, answeredValue,
    time: Number.isFinite(question.time) && question.time > 0 ? question.time : null,
    deadline: null, offset: 0, voting: null,
    // Whether voting has been open while this view was up: "closed" then means over, not "not yet".
    seenOpen: false, lastDeadline: null, timer: 0,
  });
}

// The right options as a set of indices. The presenter's question always has them; the results
// are asked only in case a server sends them there.
function correctOf(question, results) {
  const list = Array.isArray(question.correct) ? question.correct
    : results && Array.isArray(results.correct) ? results.correct : [];
  return new Set(list.filter(Number.isInteger));
}

function acceptedOf(question, results) {
  const list = Array.isArray(question.accepted) ? question.accepted
    : results && Array.isArray(results.accepted) ? results.accepted : [];
  return list.map(String).filter((a) => a.trim());
}

// The large clock: the time left while the timer runs; before voting opened, the time there
// will be; after it closed, that it is over.
function paintClock(view) {
  let label = t('summary.timeLeft');
  let value;
  let ending = false;
  if (view.deadline !== null) {
    const left = msLeft(view.deadline, view.offset);
    value = countdownText(left);
    if (left === 0) label = '';
    ending = left < ENDING_MS;
  } else if (view.voting === 'open') {
    label = t('summary.open');
    value = t('quiz.answerNow');
  } else if (view.seenOpen) {
    label = '';
    value = view.lastDeadline !== null && msLeft(view.lastDeadline, view.offset) === 0 ? countdownText(0) : t('summary.closed');
  } else {
    label = view.time ? t('quiz.timeToAnswer') : '';
    value = view.time ? durationText(view.time) : t('quiz.getReady');
  }
  setText(view.clockLabel, label);
  view.clockLabel.hidden = !label;
  setText(view.clockValue, value);
  // Words are set smaller than digits, so that "Voting closed" fits where "0:20" did.
  view.clockValue.classList.toggle('words', !/^\d/.test(value));
  view.clockValue.classList.toggle('ending', ending);
}

function runClock(view, on) {
  if (on && !view.timer) {
    view.timer = setInterval(() => {
      // The view was rebuilt or left the page: this clock has nothing to draw.
      if (!view.wait.isConnected) {
        clearInterval(view.timer);
        view.timer = 0;
        return;
      }
      paintClock(view);
    }, TICK_MS);
  } else if (!on && view.timer) {
    clearInterval(view.timer);
    view.timer = 0;
  }
}

const share = (n, of) => (of ? Math.round((n / of) * 100) : 0);

function paintChoices(view, question, results, revealed) {
  const respondents = count(results && results.respondents);
  const counts = results && Array.isArray(results.counts) ? results.counts : [];
  const correct = correctOf(question, results);
  for (const li of view.list.querySelectorAll('li[data-option]')) {
    const i = Number(li.dataset.option);
    const n = count(counts[i]);
    const pct = share(n, respondents);
    const isRight = correct.has(i);
    li.classList.toggle('right', isRight);
    li.classList.toggle('secret', isRight && !revealed);
    if (isRight) setColours(li, RIGHT_COLOUR);
    else setOther(li);
    setText(li.querySelector('.verdict'), isRight ? `✓ ${t('quiz.correct')}` : '');
    setBar(li, {
      fraction: respondents ? n / respondents : 0,
      value: n,
      unit: answersUnit(n),
      detail: `${pct}%`,
      aria: plural(n, isRight ? 'quiz.ariaRight' : 'choice.aria', { letter: letter(i), option: question.options[i], pct }),
    });
  }
  const rightCount = count(results && results.right);
  setText(view.right, respondents
    ? plural(respondents, 'quiz.rightOf', { right: formatNumber(rightCount, 0), pct: share(rightCount, respondents) })
    : t('quiz.noAnswers'));
}

function paintTally(view, question, results, revealed) {
  const right = count(results && results.right);
  const wrong = count(results && results.wrong);
  const respondents = Math.max(count(results && results.respondents), right + wrong);
  const accepted = acceptedOf(question, results);
  view.accepted.hidden = !accepted.length;
  view.accepted.classList.toggle('secret', !revealed);
  setText(view.accepted.querySelector('.quiz-accepted-value'), accepted.join(' · '));
  for (const li of view.list.querySelectorAll('li[data-verdict]')) {
    const yes = li.dataset.verdict === 'right';
    const n = yes ? right : wrong;
    const pct = share(n, respondents);
    setBar(li, {
      fraction: respondents ? n / respondents : 0,
      value: n,
      unit: answersUnit(n),
      detail: `${pct}%`,
      aria: plural(n, 'quiz.ariaTally', { verdict: t(yes ? 'quiz.right' : 'quiz.wrong'), pct }),
    });
  }
}

// `deadline` (server epoch ms, or null), `offset` (server clock minus ours) and `voting` drive
// the room's countdown; views that pass none (a preview) show the time there will be.
export function paint(container, question, results, {
  revealed = false, projector = false, deadline = null, offset = 0, voting = null,
} = {}) {
  let view = views.get(container);
  if (!view || view.wait.parentNode !== container) {
    build(container, question);
    view = views.get(container);
  }
  const waiting = projector && !revealed;
  view.wait.hidden = !waiting;
  view.reveal.hidden = waiting;
  view.note.hidden = revealed || projector;

  const respondents = count(results && results.respondents);
  setText(view.answeredValue, formatNumber(respondents, 0));
  setText(view.wait.querySelector('.quiz-answered-word'), plural(respondents, 'quiz.answered'));
  view.deadline = Number.isFinite(deadline) ? deadline : null;
  view.offset = Number.isFinite(offset) ? offset : 0;
  view.voting = voting;
  if (voting === 'open' || respondents > 0) view.seenOpen = true;
  if (view.deadline !== null) view.lastDeadline = view.deadline;
  paintClock(view);
  runClock(view, waiting && view.deadline !== null);
  if (waiting) return;

  if (isText(question)) paintTally(view, question, results, revealed);
  else paintChoices(view, question, results, revealed);
}
