// Horizontal bar rows (badge, label, track with its fill, numbers on the right) and the view they sit in.
import { lang, plural as pluralOf } from './i18n.js';
import { letter, setColours } from './letters.js';

export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  // Participant-facing text is always set as text, never parsed as markup.
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

// Over twelve rows go into two columns rather than rows off screen.
export const columnsFor = (rows) => (rows > 12 ? 2 : 1);

// Rows get smaller as a column gets fuller: every option must be on screen.
export const density = (rowsPerColumn) => (rowsPerColumn > 5 ? 'many' : '');

// Empties `container` and marks it as the results view of one kind with `rows` rows; the
// stylesheet sizes rows from data-density and data-columns, and the stage fitting shrinks
// .view further when it still overflows.
export function prepareView(container, kind, rows) {
  container.textContent = '';
  container.classList.add('view');
  container.dataset.kind = kind;
  const columns = columnsFor(rows);
  const perColumn = Math.ceil(rows / columns);
  if (columns > 1) container.dataset.columns = String(columns);
  else delete container.dataset.columns;
  const d = density(perColumn);
  if (d) container.dataset.density = d;
  else delete container.dataset.density;
  container.style.setProperty('--rows', String(perColumn));
}

// A results view drawn as a picture (a word cloud, a wall of posts): the previous
// build's size observer let go, a summary that screen readers read as sentences,
// and the picture itself hidden from them.
export function preparePicture(container, kind, previous, { summary, picture }) {
  if (previous && previous.observer) previous.observer.disconnect();
  prepareView(container, kind, 1);
  const parts = { summary: element('p', summary), picture: element('div', picture) };
  parts.picture.setAttribute('aria-hidden', 'true');
  return parts;
}

export function barList(className) {
  return element('ol', className ? `bars ${className}` : 'bars');
}

// One row at zero. `option` (an option index) gives the letter, the colour and data-option;
// `badge` overrides the letter (an empty string leaves the badge blank); `rank` adds a rank cell.
export function barRow({ option, label, badge, colourIndex, rank = false }) {
  const li = element('li');
  if (Number.isInteger(option)) li.dataset.option = String(option);
  setColours(li, Number.isInteger(colourIndex) ? colourIndex : (Number.isInteger(option) ? option : 0));
  if (rank) li.append(element('span', 'rank'));
  const track = element('span', 'track');
  track.append(element('span', 'fill'));
  const nums = element('span', 'nums');
  // The room sees "2 67%"; screen readers and the row's text get "2 answers, 67%" (the unit is
  // drawn nowhere, see slide.css). The space keeps the count and the percentage two words.
  nums.append(element('span', 'count', '0'), element('span', 'unit', ''), ' ', element('span', 'pct', ''));
  const badgeText = badge !== undefined ? badge : (Number.isInteger(option) ? letter(option) : '');
  li.append(element('span', 'badge', badgeText), element('span', 'label', label), track, nums);
  return li;
}

// Updates a row in place: the fill's width animates (CSS) instead of the row being rebuilt.
// `unit` is what the count counts, said after it and never drawn ("answers,").
export function setBar(li, { fraction, value, unit, detail, aria }) {
  const f = Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
  const width = `${(f * 100).toFixed(2)}%`;
  const fill = li.querySelector('.fill');
  if (fill.style.width !== width) fill.style.width = width;
  setText(li.querySelector('.count'), value);
  setText(li.querySelector('.unit'), unit ? ` ${unit}` : '');
  setText(li.querySelector('.pct'), detail);
  if (aria) li.setAttribute('aria-label', aria);
}

// Writes text only when it changed, so a paint with the same numbers touches nothing.
export function setText(el, text) {
  const t = text === undefined || text === null ? '' : String(text);
  if (el && el.textContent !== t) el.textContent = t;
}

// Puts `items` (children of `list`) in this order, moving nodes only if the order changed.
// Moved rows get a style flush first, so their next width change still animates.
export function setOrder(list, items) {
  const current = [...list.children];
  if (items.length === current.length && items.every((item, i) => item === current[i])) return false;
  for (const item of items) list.append(item);
  void list.offsetWidth;
  return true;
}

// Numbers beside bars, in the window's language, with at most `max` decimals.
export function formatNumber(x, max = 1, min = 0) {
  if (!Number.isFinite(x)) return '–';
  return new Intl.NumberFormat(lang, { minimumFractionDigits: min, maximumFractionDigits: max }).format(x);
}

// What a row's count is, said after the number and before its percentage: "1 answer, 33%".
export const answersUnit = (n) => pluralOf(n, 'bars.unit');
export const count = (x) => (Number.isFinite(x) && x > 0 ? x : 0);
