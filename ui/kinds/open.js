// Results of open questions: the projector's text wall. Each shown post is a card, the newest on
// top, the pinned post one large card at the top left; what does not fit is left off at the
// bottom (the oldest posts) rather than every card shrinking until nobody can read it.
//
// The wall is a few columns. A post that arrives goes on top of one column (the shortest while
// there is room, else the one whose top card has been up longest), so it pushes down only that
// column: the rest of the wall stays where the room is reading it. Cards are keyed by post id,
// measured once and placed with transforms, so a move eases instead of jumping.
//
// Post text is participant text: it is only ever set with textContent.
import { count, element, preparePicture, setText } from '../lib/bars.js';
import { num, plural, t } from '../lib/i18n.js';

// Stage pixels: the space between cards, and the narrowest a column may get (about 24
// characters a line at 40 px, enough for a sentence to read as one).
const GAP = 28;
const MIN_COLUMN = 480;
// The server sends at most 60 shown posts and the pinned one; more would never fit anyway.
const MOST = 60;
// Posts read out in the accessible summary.
const SPOKEN = 10;
// Characters up to which a post counts as short (set larger) and from which it is long (smaller).
const SHORT = 40;
const LONG = 120;
const PINNED_LONG = 100;

const views = new WeakMap();

export function build(container) {
  const { summary, picture: wall } =
    preparePicture(container, 'open', views.get(container), { summary: 'wall-summary', picture: 'wall' });
  const empty = element('div', 'wall-empty');
  const waiting = element('p', 'wall-waiting');
  waiting.hidden = true;
  empty.append(element('p', 'wall-empty-text', t('open.empty')), waiting);
  container.append(summary, wall, empty);
  const view = {
    wall, summary, empty, waiting,
    // id → { id, el, text, pinned, h, col, seq, shown }
    cards: new Map(),
    columns: [],
    ncols: 0,
    colW: 0,
    geometry: '',
    box: null,
    pinned: null,
    rest: [],
    signature: '',
    // Arrival order of cards on the wall: which column top has been up longest.
    seq: 0,
    observer: null,
  };
  views.set(container, view);
  // The stage is a fixed 1920×1080, so the box changes only when the slide around it does
  // (a long title shrinks, results are hidden and shown again).
  if (window.ResizeObserver) {
    view.observer = new ResizeObserver((entries) => {
      if (!wall.isConnected) { view.observer.disconnect(); return; }
      const rect = entries[entries.length - 1].contentRect;
      view.box = { width: Math.floor(rect.width), height: Math.floor(rect.height) };
      layOut(view);
    });
    view.observer.observe(wall);
  }
}

// The posts of a results frame: the pinned one, and the others newest first as the server sent them.
function postsOf(results) {
  const list = results && Array.isArray(results.posts) ? results.posts : [];
  const seen = new Set();
  let pinned = null;
  const rest = [];
  for (const raw of list) {
    if (!raw || !Number.isFinite(raw.id) || seen.has(raw.id)) continue;
    if (typeof raw.text !== 'string' || !raw.text.trim()) continue;
    seen.add(raw.id);
    const post = { id: raw.id, text: raw.text };
    if (raw.pinned === true && !pinned) pinned = post;
    else if (rest.length < MOST) rest.push(post);
  }
  return { pinned, rest };
}

const sizeClass = (text, pinned) => {
  const n = [...text].length;
  if (pinned) return n > PINNED_LONG ? 'long' : '';
  return n <= SHORT ? 'short' : n > LONG ? 'long' : '';
};

function cardFor(view, post, pinned) {
  let card = view.cards.get(post.id);
  if (!card) {
    const el = element('div', 'card');
    // Inline, so that its first placement does not ease in from the corner (cleared once placed).
    el.style.transition = 'none';
    const text = element('p', 'card-text');
    // Right-to-left posts read in their own direction, inside their own card.
    text.dir = 'auto';
    el.append(text);
    card = { id: post.id, el, textEl: text, text: null, pinned: null, h: 0, col: -1, seq: 0, shown: false };
    view.cards.set(post.id, card);
    view.wall.append(el);
  }
  if (card.text !== post.text || card.pinned !== pinned) {
    if (card.pinned !== null && card.pinned !== pinned) card.col = -1;
    card.text = post.text;
    card.pinned = pinned;
    card.h = 0;
    setText(card.textEl, post.text);
    card.el.className = `card ${sizeClass(post.text, pinned)}${pinned ? ' pinned' : ''}`.trim();
    if (pinned && !card.el.querySelector('.card-label')) card.el.prepend(element('span', 'card-label', t('open.pinned')));
    if (!pinned) { const label = card.el.querySelector('.card-label'); if (label) label.remove(); }
  }
  return card;
}

// The join banner's box in the wall's pixels when it reaches into the wall: the wall runs down
// beside the banner (slide.css lets it into the banner's row), and columns above it stop short.
function banner(view, width, height) {
  const stage = view.wall.closest('.stage');
  const join = stage && stage.querySelector('.join');
  if (!join || join.hidden || !view.wall.offsetWidth) return null;
  const w = view.wall.getBoundingClientRect();
  const j = join.getBoundingClientRect();
  // The stage is scaled to its window: back to stage pixels.
  const scale = w.width / view.wall.offsetWidth || 1;
  const box = {
    left: Math.floor((j.left - w.left) / scale), top: Math.floor((j.top - w.top) / scale),
    right: Math.ceil((j.right - w.left) / scale), bottom: Math.ceil((j.bottom - w.top) / scale),
  };
  if (box.bottom <= 0 || box.top >= height || box.right <= 0 || box.left >= width) return null;
  return box;
}

// Brings the posts onto the wall: DOM writes only for cards that arrived, left or moved.
function layOut(view) {
  const box = view.box || { width: view.wall.clientWidth, height: view.wall.clientHeight };
  const { width, height } = box;
  // A hidden view has no box: it is laid out when it is shown again.
  if (!(width > 0 && height > 0)) return;
  const join = banner(view, width, height);
  const signature = `${width}x${height}|${join ? `${join.left},${join.top},${join.right}` : ''}|`
    + `${view.pinned ? `${view.pinned.id}:${view.pinned.text}` : ''}|`
    + view.rest.map((p) => `${p.id}:${p.text}`).join('\u0000');
  if (signature === view.signature) return;
  view.signature = signature;

  const ncols = Math.max(1, Math.floor((width + GAP) / (MIN_COLUMN + GAP)));
  const colW = Math.floor((width - GAP * (ncols - 1)) / ncols);
  const geometry = `${ncols}:${colW}:${height}:${join ? `${join.left},${join.top}` : ''}:${view.pinned ? view.pinned.id : ''}`;
  if (geometry !== view.geometry) {
    // A new box or a new pinned post (which moves two columns anyway): every card is measured
    // and the wall laid out again from nothing.
    view.geometry = geometry;
    view.ncols = ncols;
    view.colW = colW;
    view.columns = Array.from({ length: ncols }, () => []);
    for (const card of view.cards.values()) { card.col = -1; card.h = 0; }
  }

  // Cards whose post left the wall (hidden by the speaker, or older than the newest 60).
  const want = new Set(view.rest.map((p) => p.id));
  if (view.pinned) want.add(view.pinned.id);
  for (const [id, card] of view.cards) {
    if (want.has(id)) continue;
    card.el.remove();
    view.cards.delete(id);
  }

  const pinned = view.pinned ? cardFor(view, view.pinned, true) : null;
  const rest = view.rest.map((p) => cardFor(view, p, false));
  for (let c = 0; c < ncols; c++) {
    view.columns[c] = view.columns[c].filter((id) => { const card = view.cards.get(id); return card && !card.pinned && card.col === c; });
  }

  // The pinned card spans two columns where there are two, and the columns under it start lower.
  const span = Math.min(2, ncols);
  const widthOf = (card) => (card.pinned ? span * colW + (span - 1) * GAP : colW);
  // Measured in one pass: every width written first, then every height read.
  const unmeasured = [pinned, ...rest].filter((card) => card && !card.h);
  for (const card of unmeasured) {
    card.el.style.width = `${widthOf(card)}px`;
    card.el.hidden = false;
  }
  for (const card of unmeasured) card.h = card.el.offsetHeight;

  // How far down each column may go: to the wall's foot, or to just above the join banner.
  const limit = Array.from({ length: ncols }, (_, c) => {
    const left = c * (colW + GAP);
    return join && left < join.right && left + colW > join.left ? Math.max(0, join.top - GAP) : height;
  });
  const start = Array.from({ length: ncols }, (_, c) => (pinned && c < span ? Math.min(height, pinned.h + GAP) : 0));
  const used = start.slice();
  for (let c = 0; c < ncols; c++) for (const id of view.columns[c]) used[c] += view.cards.get(id).h + GAP;
  const topSeq = (c) => (view.columns[c].length ? view.cards.get(view.columns[c][0]).seq : -Infinity);

  const roomiest = (card) => {
    let best = -1;
    for (let c = 0; c < ncols; c++) {
      if (used[c] + card.h <= limit[c] && (best < 0 || limit[c] - used[c] > limit[best] - used[best])) best = c;
    }
    return best;
  };
  if (view.columns.every((column) => !column.length)) {
    // A wall from nothing (a new slide, a reconnect, a new width): newest first, each card at the
    // foot of the column with the most room left, so that the newest are highest and the wall is
    // full. A card that fits nowhere is left off (col -2), and an older, shorter one may take the room.
    rest.forEach((card, i) => {
      if (card.col !== -1) return;
      const best = roomiest(card);
      card.col = best < 0 ? -2 : best;
      if (best < 0) return;
      card.seq = view.seq + rest.length - i;
      view.columns[best].push(card.id);
      used[best] += card.h + GAP;
    });
    view.seq += rest.length;
  } else {
    // New arrivals go on top of a column, the oldest of them first, so the newest end up highest.
    for (let i = rest.length - 1; i >= 0; i--) {
      const card = rest[i];
      if (card.col !== -1) continue;
      // While there is room: the column with the most room where it fits without pushing anything off.
      let best = roomiest(card);
      // A full wall: the column whose top card has been up longest, so posts take turns.
      if (best < 0) {
        for (let c = 0; c < ncols; c++) {
          if (card.h > limit[c] - start[c]) continue;
          if (best < 0 || topSeq(c) < topSeq(best)) best = c;
        }
      }
      // Taller than any column (a long post beside a long pinned one): left off rather than cut.
      card.col = best < 0 ? -2 : best;
      if (best < 0) continue;
      card.seq = ++view.seq;
      view.columns[best].unshift(card.id);
      used[best] += card.h + GAP;
    }
  }

  const place = (card, x, y, fits) => {
    if (card.el.hidden === fits) card.el.hidden = !fits;
    card.shown = fits;
    if (!fits) return;
    const transform = `translate(${x}px, ${y}px)`;
    if (card.el.style.transform !== transform) card.el.style.transform = transform;
  };
  if (pinned) place(pinned, 0, 0, true);
  for (let c = 0; c < ncols; c++) {
    let y = start[c];
    for (const id of view.columns[c]) {
      const card = view.cards.get(id);
      // Pushed down past the foot: off the wall, and a shorter, older card under it may take the room.
      const fits = y + card.h <= limit[c];
      place(card, c * (colW + GAP), y, fits);
      if (fits) y += card.h + GAP;
    }
  }
  for (const card of rest) if (card.col < 0) place(card, 0, 0, false);

  // Placed without easing; from the next frame on, moves ease.
  const placed = [pinned, ...rest].filter((card) => card && card.el.style.transition);
  if (placed.length) {
    requestAnimationFrame(() => { for (const card of placed) card.el.style.removeProperty('transition'); });
  }
  describe(view);
}

// What the wall shows, as sentences: the pinned post, then the newest on the wall.
function describe(view) {
  const shown = view.rest.filter((p) => { const card = view.cards.get(p.id); return card && card.shown; });
  const pinnedShown = view.pinned ? 1 : 0;
  const total = shown.length + pinnedShown;
  if (!total) { setText(view.summary, t('open.none')); return; }
  const parts = [plural(total, 'open.onScreen')];
  if (view.pinned) parts.push(t('open.pinnedPost', { text: view.pinned.text }));
  if (shown.length) {
    const spoken = shown.slice(0, SPOKEN).map((p) => p.text).join('; ');
    const more = shown.length > SPOKEN ? t('list.more', { n: num(shown.length - SPOKEN) }) : '';
    parts.push(t('open.newest', { list: `${spoken}${more}` }));
  }
  setText(view.summary, parts.join(' '));
}

const setHidden = (el, hidden) => { if (el.hidden !== hidden) el.hidden = hidden; };

export function paint(container, question, results, { projector = false } = {}) {
  let view = views.get(container);
  if (!view || view.wall.parentNode !== container) {
    build(container, question);
    view = views.get(container);
  }
  const { pinned, rest } = postsOf(results);
  view.pinned = pinned;
  view.rest = rest;
  const any = !!pinned || rest.length > 0;
  setHidden(view.empty, any);
  // Only the speaker learns that posts wait for approval; the room sees the wall.
  const pending = projector ? 0 : count(results && results.pending);
  setText(view.waiting, pending ? plural(pending, 'open.pending') : '');
  setHidden(view.waiting, !pending);
  if (!any) setText(view.summary, t('open.none'));
  layOut(view);
}
