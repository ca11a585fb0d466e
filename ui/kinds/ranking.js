// Results of ranking questions: items sorted by Borda score, bars against the highest possible score.
import { barList, barRow, count, prepareView, setBar, setOrder, setText } from '../lib/bars.js';
import { num, ordinal, plural, t } from '../lib/i18n.js';
import { letter } from '../lib/letters.js';

export function build(container, question) {
  const options = question.options || [];
  prepareView(container, 'ranking', options.length);
  const list = barList('ranked');
  options.forEach((text, i) => list.append(barRow({ option: i, label: text, rank: true })));
  container.append(list);
}

export function paint(container, question, results) {
  const list = container.querySelector('ol.bars');
  if (!list) return;
  const n = (question.options || []).length;
  const respondents = count(results && results.respondents);
  const scores = (results && Array.isArray(results.scores)) ? results.scores : [];
  const firsts = (results && Array.isArray(results.firsts)) ? results.firsts : [];
  // Every respondent ranks every item: an item ranked first by all gets (n-1) points from each.
  const most = Math.max(1, n - 1) * respondents;
  const rows = [...list.querySelectorAll('li[data-option]')];
  const score = (li) => count(scores[Number(li.dataset.option)]);
  // Highest score first; equal scores keep the deck's order, so rows do not swap at random.
  rows.sort((a, b) => score(b) - score(a) || Number(a.dataset.option) - Number(b.dataset.option));
  setOrder(list, rows);
  let rank = 0;
  rows.forEach((li, position) => {
    const i = Number(li.dataset.option);
    const s = score(li);
    // Equal scores share a rank ("1, 2, 2, 4"); with no answers yet there is no ranking to show.
    if (position === 0 || s !== score(rows[position - 1])) rank = position + 1;
    setText(li.querySelector('.rank'), respondents ? String(rank) : '–');
    const first = count(firsts[i]);
    setBar(li, {
      fraction: most ? s / most : 0,
      value: s,
      detail: t('ranking.detail'),
      aria: respondents
        ? plural(s, 'ranking.aria', { place: ordinal(rank), letter: letter(i), option: question.options[i], most: num(most), first: num(first) })
        : t('ranking.none', { letter: letter(i), option: question.options[i] }),
    });
  });
}
