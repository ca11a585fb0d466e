// Results of scale questions: per statement, how many picked each point, with the mean and median large.
import { columnsFor, count, element, formatNumber, prepareView, setText } from '../lib/bars.js';
import { plural, t } from '../lib/i18n.js';
import { letter, setColours } from '../lib/letters.js';

// The points min..max (defaults 1..5; the server keeps it to at most 11 points).
function points(question) {
  const min = Number.isInteger(question.min) ? question.min : 1;
  let max = Number.isInteger(question.max) ? question.max : 5;
  if (max < min) max = min;
  if (max - min > 10) max = min + 10;
  const list = [];
  for (let v = min; v <= max; v++) list.push(v);
  return list;
}

const endLabels = (question) =>
  (Array.isArray(question.labels) && question.labels.length === 2 ? question.labels.map(String) : null);

// One column per point: its bar, with its count riding just above the bar's top. Counts are drawn
// only with `counts`, and the stylesheet leaves them out where they would run into each other;
// every count is in the row's accessible name either way.
function distribution(values, counts) {
  const dist = element('div', counts ? 'dist counts' : 'dist');
  dist.style.setProperty('--points', String(values.length));
  for (const v of values) {
    const point = element('div', 'point');
    point.dataset.point = String(v);
    const bar = element('div', 'point-bar');
    const fill = element('div', 'point-fill');
    fill.append(element('span', 'point-count', '0'));
    bar.append(fill);
    point.append(bar);
    dist.append(point);
  }
  return dist;
}

// The point numbers, drawn under a baseline as axis labels (smaller and lighter than the counts).
function ticks(values) {
  const box = element('div', 'ticks');
  box.style.setProperty('--points', String(values.length));
  // Over seven points, the odd ones are marked so that a narrow axis can leave them out.
  box.classList.toggle('many', values.length > 7);
  values.forEach((v, i) => box.append(element('span', i % 2 ? 'tick minor' : 'tick', formatNumber(v, 0))));
  return box;
}

// The point numbers and, under them, the end labels at either end.
function axis(values, labels) {
  const box = element('div', 'axis');
  box.append(ticks(values));
  if (labels) {
    const ends = element('div', 'ends');
    ends.append(element('span', 'end end-low', labels[0]), element('span', 'end end-high', labels[1]));
    box.append(ends);
  }
  return box;
}

function figure(label, className) {
  const box = element('div', 'fig');
  box.append(element('span', 'fig-label', label), element('span', `fig-value ${className}`, '–'));
  return box;
}

// No statements: the prompt (already the slide's title) is the one row, drawn as one large chart.
function buildSingle(view, values, labels) {
  const row = element('div', 'scale-single');
  row.dataset.row = '0';
  // A group, so its summary (set in paint) is announced as one name.
  row.setAttribute('role', 'group');
  setColours(row, 0);
  const chart = element('div', 'chart');
  chart.append(distribution(values, true), axis(values, labels));
  const figures = element('div', 'figures');
  figures.append(figure(t('stats.mean'), 'mean'), figure(t('stats.median'), 'median'));
  row.append(chart, figures);
  view.append(row);
}

// Statements: one row each (badge, statement, small columns, mean, median). The rows share the
// free height, so few statements get tall charts. Up to three rows each have their point numbers
// under their own baseline and counts over the columns; more rows share one axis under the last.
function buildRows(view, rows, values, labels) {
  const wrap = element('div', 'scale-multi');
  // Over twelve statements go into two columns, each with its own axis, like crowded choice rows.
  const perColumn = Math.ceil(rows.length / columnsFor(rows.length));
  const roomy = rows.length <= 3;
  wrap.classList.toggle('roomy', roomy);
  for (let start = 0; start < rows.length; start += perColumn) {
    const column = element('div', 'scale-column');
    const head = element('div', 'scale-head');
    head.setAttribute('aria-hidden', 'true');
    head.append(element('span'), element('span'), element('span'),
      element('span', 'fig-label', t('stats.mean')), element('span', 'fig-label', t('stats.median')));
    const list = element('ol', 'scale-rows');
    rows.slice(start, start + perColumn).forEach((text, offset) => {
      const i = start + offset;
      const li = element('li', 'scale-row');
      li.dataset.row = String(i);
      li.dataset.option = String(i);
      setColours(li, i);
      const chart = element('div', 'chart');
      const own = ticks(values);
      own.setAttribute('aria-hidden', 'true');
      chart.append(distribution(values, roomy), own);
      li.append(element('span', 'badge', letter(i)), element('span', 'label', text), chart,
        element('span', 'fig-value mean', '–'), element('span', 'fig-value median', '–'));
      list.append(li);
    });
    const foot = element('div', 'scale-foot');
    foot.setAttribute('aria-hidden', 'true');
    foot.append(element('span'), element('span'), axis(values, labels), element('span'), element('span'));
    column.append(head, list, foot);
    wrap.append(column);
  }
  view.append(wrap);
}

export function build(container, question) {
  const statements = question.options || [];
  const values = points(question);
  prepareView(container, 'scale', Math.max(1, statements.length));
  if (statements.length) buildRows(container, statements, values, endLabels(question));
  else buildSingle(container, values, endLabels(question));
}

export function paint(container, question, results) {
  const values = points(question);
  const statements = question.options || [];
  const data = (results && Array.isArray(results.rows)) ? results.rows : [];
  const respondents = count(results && results.respondents);
  // One height scale for every row, so rows compare; the most-picked point is full height.
  let most = 0;
  for (const row of data) for (const n of (row && Array.isArray(row.counts) ? row.counts : [])) most = Math.max(most, count(n));
  const digits = String(Math.min(6, String(most).length));
  for (const el of container.querySelectorAll('[data-row]')) {
    const i = Number(el.dataset.row);
    const row = data[i] || {};
    const counts = Array.isArray(row.counts) ? row.counts : [];
    const parts = [];
    el.querySelectorAll('.point').forEach((point, p) => {
      const n = count(counts[p]);
      const height = `${most ? ((n / most) * 100).toFixed(2) : 0}%`;
      const fill = point.querySelector('.point-fill');
      if (fill.style.height !== height) fill.style.height = height;
      setText(point.querySelector('.point-count'), n);
      // A column with no votes has no bar and no number over the baseline.
      point.classList.toggle('empty', n === 0);
      parts.push(`${values[p]}: ${n}`);
    });
    // The widest count of all rows sets the counts' size, and whether they fit at all (see slide.css).
    const dist = el.querySelector('.dist');
    if (dist) {
      dist.dataset.digits = digits;
      dist.style.setProperty('--digits', digits);
    }
    const mean = respondents && Number.isFinite(row.mean) ? formatNumber(row.mean, 1, 1) : '–';
    const median = respondents && Number.isFinite(row.median) ? formatNumber(row.median, 1) : '–';
    setText(el.querySelector('.mean'), mean);
    setText(el.querySelector('.median'), median);
    const name = statements.length ? `${letter(i)}: ${statements[i]}` : String(question.prompt || '');
    el.setAttribute('aria-label', plural(respondents, 'scale.aria', { name, mean, median, points: parts.join(', ') }));
  }
}
