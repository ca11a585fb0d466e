// Results of single and multiple choice: one bar per option with its count and percentage.
import { answersUnit, barList, barRow, count, prepareView, setBar } from '../lib/bars.js';
import { plural } from '../lib/i18n.js';
import { letter } from '../lib/letters.js';

export function build(container, question) {
  const options = question.options || [];
  prepareView(container, 'choice', options.length);
  const list = barList();
  options.forEach((text, i) => list.append(barRow({ option: i, label: text })));
  container.append(list);
}

// Bars are scaled to the respondents, so a multiple-choice row reads as "this share of people".
export function paint(container, question, results) {
  const respondents = count(results && results.respondents);
  const counts = (results && Array.isArray(results.counts)) ? results.counts : [];
  for (const li of container.querySelectorAll('li[data-option]')) {
    const i = Number(li.dataset.option);
    const n = count(counts[i]);
    const pct = respondents ? Math.round((n / respondents) * 100) : 0;
    setBar(li, {
      fraction: respondents ? n / respondents : 0,
      value: n,
      unit: answersUnit(n),
      detail: `${pct}%`,
      aria: plural(n, 'choice.aria', { letter: letter(i), option: question.options[i], pct }),
    });
  }
}
