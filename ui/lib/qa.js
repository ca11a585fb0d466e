// The audience's questions on the stage, for a slide holding <!-- qa --> (`qa: true` in the deck):
// the question being answered very large, then the most upvoted ones with their votes, answered
// ones last, dimmed and marked with a word. Drawn from the shared `qa` frame, which holds only
// shown and answered questions: nothing pending or hidden can reach this board.
//
// Question text is participant text: it is only ever set with textContent.
import { count, element, setText } from './bars.js';
import { num, plural, t } from './i18n.js';

// More rows than this never fit on the stage; the rest are counted in the footer.
const ROWS = 12;
// Characters up to which the highlighted question is drawn at its largest, and from which at its smallest.
const SHORT = 90;
const LONG = 180;

const validEntries = (frame) => (frame && Array.isArray(frame.entries) ? frame.entries : [])
  .filter((e) => e && Number.isFinite(e.id) && typeof e.text === 'string' && e.text.trim());

// Open questions first, by votes and then newest; answered ones after them, in the same order.
function ranked(entries) {
  const at = (e) => (Number.isFinite(e.at) ? e.at : 0);
  return entries.slice().sort((a, b) => (a.answered === true) - (b.answered === true)
    || count(b.upvotes) - count(a.upvotes) || at(b) - at(a) || b.id - a.id);
}

// "12" over "votes": a number the back row reads, and a word so that no one has to guess what it counts.
function votes(className) {
  const box = element('span', className);
  // The space (not drawn between flex items) keeps "12 votes" two words for screen readers.
  box.append(element('span', 'qa-count', '0'), ' ', element('span', 'qa-count-word', plural(0, 'qa.votes')));
  return box;
}

function setVotes(box, n) {
  setText(box.querySelector('.qa-count'), num(n));
  setText(box.querySelector('.qa-count-word'), plural(n, 'qa.votes'));
}

export function createQaBoard(stage) {
  const board = element('section', 'qa-board');
  board.setAttribute('aria-label', t('qa.label'));
  board.hidden = true;

  const now = element('div', 'qa-now');
  const nowText = element('p', 'qa-now-text');
  nowText.dir = 'auto';
  const nowBody = element('div', 'qa-now-body');
  nowBody.append(element('p', 'qa-now-label', t('qa.now')), nowText);
  const nowVotes = votes('qa-votes qa-now-votes');
  now.append(nowBody, nowVotes);
  now.hidden = true;

  const list = element('ol', 'qa-list');
  const empty = element('p', 'qa-empty');
  const foot = element('p', 'qa-foot');
  board.append(now, list, empty, foot);
  stage.insertBefore(board, stage.querySelector('.join'));

  // id → row; rows are kept and reordered, not rebuilt, when votes arrive.
  const rows = new Map();

  function rowFor(entry) {
    let row = rows.get(entry.id);
    if (!row) {
      row = element('li', 'qa-row');
      const text = element('p', 'qa-text');
      text.dir = 'auto';
      const tag = element('span', 'qa-tag', t('qa.answered'));
      row.append(votes('qa-votes'), text, tag);
      rows.set(entry.id, row);
    }
    setVotes(row.querySelector('.qa-votes'), count(entry.upvotes));
    setText(row.querySelector('.qa-text'), entry.text);
    const answered = entry.answered === true;
    row.classList.toggle('answered', answered);
    row.querySelector('.qa-tag').hidden = !answered;
    return row;
  }

  // Rows that would run off the board are left off, from the bottom (the least voted).
  function fitRows() {
    const height = list.clientHeight;
    if (!(height > 0)) return;
    let full = false;
    for (const row of list.children) {
      row.hidden = false;
      full = full || row.offsetTop + row.offsetHeight > height + 1;
      row.hidden = full;
    }
  }

  // frame: the last `qa` frame (or null); qa: `state.qa` ({open, highlight}) or null.
  function paint(frame, qa) {
    if (board.hidden) return;
    const entries = validEntries(frame);
    const open = qa && typeof qa.open === 'boolean' ? qa.open : !!(frame && frame.open);
    const marked = entries.find((e) => e.highlighted === true);
    const highlightId = qa && Number.isFinite(qa.highlight) ? qa.highlight : (marked ? marked.id : null);
    const highlighted = entries.find((e) => e.id === highlightId) || null;

    now.hidden = !highlighted;
    if (highlighted) {
      const n = [...highlighted.text].length;
      now.className = `qa-now${n <= SHORT ? ' short' : n > LONG ? ' long' : ''}`;
      setText(nowText, highlighted.text);
      setVotes(nowVotes, count(highlighted.upvotes));
    }

    const shown = ranked(entries.filter((e) => e !== highlighted)).slice(0, ROWS);
    const keep = new Set(shown.map((e) => e.id));
    for (const [id, row] of rows) {
      if (keep.has(id)) continue;
      row.remove();
      rows.delete(id);
    }
    const ordered = shown.map(rowFor);
    if (ordered.some((row, i) => list.children[i] !== row) || list.children.length !== ordered.length) {
      list.append(...ordered);
    }
    setText(empty, entries.length ? '' : (open
      ? t('qa.ask')
      : t('qa.closed')));
    empty.hidden = entries.length > 0;
    // The footer is one line: shown before the rows are fitted, its words set after.
    foot.hidden = !entries.length;
    fitRows();
    const total = Math.max(count(frame && frame.total), entries.length);
    const onScreen = (highlighted ? 1 : 0) + [...list.children].filter((row) => !row.hidden).length;
    const parts = [];
    if (total > onScreen) parts.push(plural(total - onScreen, 'qa.more'));
    parts.push(open ? t('qa.upvote') : t('qa.closed'));
    setText(foot, parts.join(' · '));
  }

  function show(on) {
    board.hidden = !on;
    stage.classList.toggle('qa', on);
    if (!on) {
      list.textContent = '';
      rows.clear();
    }
  }

  return { show, paint, element: board };
}
