// Results of number questions: a histogram of the answers, mean, median and (when allowed) the correct answer.
import {
  answersUnit, barList, barRow, count, density, element, formatNumber, prepareView, setBar, setText,
} from '../lib/bars.js';
import { plural, t } from '../lib/i18n.js';
import { setColours } from '../lib/letters.js';

// Okabe–Ito green, the third colour of the palette.
const ANSWER_COLOUR = 2;

function figure(label, className) {
  const box = element('div', `fig ${className}`);
  box.append(element('dt', 'fig-label', label), element('dd', 'fig-value', '–'));
  return box;
}

// `question` is not needed: the bins come with the results (the server picks them), so none exist yet.
export function build(container, question) {
  prepareView(container, 'number', 1);
  const hist = element('div', 'hist');
  hist.append(element('p', 'no-answers', t('number.none')), barList('bins'));
  const figures = element('dl', 'figures');
  const answer = figure(t('number.answer'), 'answer-fig');
  answer.append(element('dd', 'answer-note', t('number.notShown')));
  answer.hidden = true;
  figures.append(figure(t('stats.mean'), 'mean-fig'), figure(t('stats.median'), 'median-fig'), answer);
  container.append(hist, figures);
}

const validBins = (results) => ((results && Array.isArray(results.bins)) ? results.bins : [])
  .filter((b) => b && Number.isFinite(b.from) && Number.isFinite(b.to));

// Decimals enough to tell bin edges apart ("2.5 – 5", not "3 – 5"), and no more.
function edgeDigits(bins) {
  const width = Math.min(...bins.map((b) => Math.abs(b.to - b.from)).filter((w) => w > 0));
  if (!Number.isFinite(width)) return 2;
  return Math.max(0, Math.min(3, Math.ceil(-Math.log10(width)) + 1));
}

// The mean of many answers deserves fewer decimals when the numbers are large.
const statDigits = (x) => (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
const show = (x) => (Number.isFinite(x) ? formatNumber(x, statDigits(x)) : '–');

// Rows are rebuilt only when the bins themselves change, never for new counts.
function syncBins(container, bins) {
  const list = container.querySelector('ol.bins');
  const key = bins.map((b) => `${b.from}|${b.to}`).join(' ');
  if (list.dataset.key === key) return list;
  list.dataset.key = key;
  list.textContent = '';
  const digits = edgeDigits(bins);
  const labels = bins.map((b) => `${formatNumber(b.from, digits)} – ${formatNumber(b.to, digits)}`);
  labels.forEach((label, i) => {
    const li = barRow({ label, badge: '', colourIndex: 0 });
    li.dataset.bin = String(i);
    list.append(li);
  });
  // Every row's range column is as wide as the longest range (digits are tabular), so the
  // tracks line up and no range is cut.
  list.style.setProperty('--range-w', `${Math.max(4, ...labels.map((l) => l.length))}ch`);
  container.querySelector('.no-answers').hidden = bins.length > 0;
  // New rows are laid out at zero first, so their bars grow like every other bar.
  void list.offsetWidth;
  // At most twelve bins: one column, smaller rows from six on.
  if (density(bins.length)) container.dataset.density = density(bins.length);
  else delete container.dataset.density;
  // The rows changed the view's height: whoever fits it to the stage measures again.
  container.dispatchEvent(new CustomEvent('viewchange', { bubbles: true }));
  return list;
}

// The bin an answer falls into: from ≤ x < to, and the last bin includes its `to`.
function binOf(bins, x) {
  if (!Number.isFinite(x)) return -1;
  return bins.findIndex((b, i) => x >= b.from && (x < b.to || (i === bins.length - 1 && x <= b.to)));
}

export function paint(container, question, results, { revealed = false, projector = false } = {}) {
  const bins = validBins(results);
  const list = syncBins(container, bins);
  const respondents = count(results && results.respondents);
  // The presenter always sees the answer; the room only once it is revealed.
  const answer = results && results.answer !== undefined ? results.answer : question.answer;
  const known = Number.isFinite(answer);
  const shown = known && (revealed || !projector);
  const hit = shown ? binOf(bins, answer) : -1;
  const most = Math.max(0, ...bins.map((b) => count(b.count)));
  list.querySelectorAll('li[data-bin]').forEach((li) => {
    const i = Number(li.dataset.bin);
    const n = count(bins[i].count);
    const pct = respondents ? Math.round((n / respondents) * 100) : 0;
    const here = i === hit;
    li.classList.toggle('answer', here);
    // Green (with a tick and bold range, so not by colour alone) for the range holding the answer.
    setColours(li, here ? ANSWER_COLOUR : 0);
    li.classList.toggle('secret', here && !revealed);
    setText(li.querySelector('.badge'), here ? '✓' : '');
    // A histogram's bars are scaled to its tallest bin; the numbers give the share of people.
    setBar(li, {
      fraction: most ? n / most : 0,
      value: n,
      unit: answersUnit(n),
      detail: `${pct}%`,
      aria: plural(n, here ? 'number.ariaAnswer' : 'number.aria', { range: li.querySelector('.label').textContent, pct }),
    });
  });
  const mean = results && respondents ? results.mean : null;
  const median = results && respondents ? results.median : null;
  setText(container.querySelector('.mean-fig .fig-value'), show(mean));
  setText(container.querySelector('.median-fig .fig-value'), show(median));
  const answerFig = container.querySelector('.answer-fig');
  answerFig.hidden = !shown;
  answerFig.classList.toggle('secret', shown && !revealed);
  answerFig.querySelector('.answer-note').hidden = revealed;
  if (shown) setText(answerFig.querySelector('.fig-value'), formatNumber(answer, 3));
}
