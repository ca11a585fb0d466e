// Results of points questions: one bar per option by the mean points people gave it.
import { barList, barRow, count, formatNumber, prepareView, setBar } from '../lib/bars.js';
import { num, t } from '../lib/i18n.js';
import { letter } from '../lib/letters.js';

export function build(container, question) {
  const options = question.options || [];
  prepareView(container, 'points', options.length);
  const list = barList('points');
  options.forEach((text, i) => list.append(barRow({ option: i, label: text })));
  container.append(list);
}

// Bars are scaled to the points each person had to give (`total`): a bar is that option's
// share of the budget, as a choice bar is a share of the people, and rows compare honestly.
export function paint(container, question, results) {
  const total = Number.isFinite(question.total) && question.total > 0 ? question.total : 100;
  const respondents = count(results && results.respondents);
  const means = (results && Array.isArray(results.means)) ? results.means : [];
  const totals = (results && Array.isArray(results.totals)) ? results.totals : [];
  for (const li of container.querySelectorAll('li[data-option]')) {
    const i = Number(li.dataset.option);
    const mean = respondents && Number.isFinite(means[i]) ? means[i] : 0;
    const shown = formatNumber(mean, 1, 1);
    setBar(li, {
      fraction: mean / total,
      value: shown,
      detail: t('points.detail'),
      aria: t('points.aria', { letter: letter(i), option: question.options[i], mean: shown, total: num(count(totals[i])) }),
    });
  }
}
