// Results of word-cloud questions: the most-sent words, sized by count, each keeping its place as answers arrive.
//
// A word's place is its centre, in stage pixels from the middle of the cloud. A paint leaves every
// word where it was: it shrinks there, or grows there as far as its neighbours leave room. A word
// left well under its size takes room from smaller words, which move to the free place nearest
// their old one; a new word takes the free place nearest the middle. When a word finds no room,
// every word gets smaller around its own centre, which frees room without moving anything; only
// once that has shrunk the cloud a good deal is it laid out afresh (everything moves, so rarely).
// Free space is kept as its largest empty rectangles, so the nearest free place is exact rather
// than a guess along a spiral. Widths come from a canvas in the words' own font, so laying out
// never waits for the page.
import { count, element, preparePicture, setText } from '../lib/bars.js';
import { num, plural, t } from '../lib/i18n.js';

// Font sizes in stage pixels with room to spare: the smallest word and the largest.
const SMALLEST = 44;
const LARGEST = 172;
// A crowded cloud (fit below 1) shrinks its small words much faster than its large ones: the top
// words are what the room reads from the back, the long tail is texture that makes way for them.
const LARGEST_POWER = 0.25;
const MIN_FIT = 0.02;
// The largest word's size in stage pixels below which the cloud stops shrinking. The fit alone
// stops at about 65 px for the largest words, which is too large when every word is the largest:
// many different long phrases, each sent once.
const MIN_LARGEST = 8;
// A layout from nothing is drawn at this share of the largest fit that works: the room left
// over is where the next words go without anything moving.
const SLACK = 0.9;
// Each step of shrinking the whole cloud when a word finds no room.
const SHRINK = 0.95;
// Shrinking in place keeps every word where it is, but evenly (the top words too), and leaves gaps
// too thin for new words. So a layout from nothing is tried once the cloud has shrunk to RESCALE
// of its last fresh size or its words cover less than COMPACT of it; it is kept (everything moves,
// so not for a small gain) if it makes the largest words BETTER times as large or covers BETTER
// times as much.
const RESCALE = 0.8;
const COMPACT = 0.55;
const BETTER = 1.2;
// A word may stay up to this much under its size where it is, rather than move or push.
const SQUEEZE = 0.7;
// A word's size changes only once it is this much off: one more vote does not redraw (and ease)
// every word.
const SIZE_STEP = 0.04;
// Line height of a word (the stylesheet says the same), and room around each word in em: between
// two words side by side, about twice a space, so that neighbours never read as one phrase.
const LINE = 1.1;
const PAD_X = 0.35;
const PAD_Y = 0.05;
// The presenter's "2 filtered" line sits in the bottom left corner; it is kept free on every
// screen, so that the presenter's cloud is the projector's.
const NOTE_W = 260;
const NOTE_H = 44;
// Words read out in the accessible summary.
const SPOKEN = 20;
const TOP = 150;
const COLOURS = 5;
const WEIGHT = 700;
const EPS = 1e-6;

const views = new WeakMap();

// ---- Text widths ----------------------------------------------------------------

let context = null;
let contextFont = '';

// The width of `text` per pixel of font size, in the cloud's font (0.6 em a character without a canvas).
function measure(text, family) {
  if (context === null) context = document.createElement('canvas').getContext('2d') || false;
  if (!context) return text.length * 0.6;
  const font = `${WEIGHT} 100px ${family}`;
  if (contextFont !== font) {
    context.font = font;
    contextFont = font;
  }
  return context.measureText(text).width / 100;
}

// ---- Free space -----------------------------------------------------------------

const inside = (a, b) => a[0] >= b[0] - EPS && a[1] >= b[1] - EPS && a[2] <= b[2] + EPS && a[3] <= b[3] + EPS;
// Boxes placed side by side touch exactly, give or take rounding: that is not an overlap.
const overlaps = (a, b) => a[0] < b[2] - EPS && b[0] < a[2] - EPS && a[1] < b[3] - EPS && b[1] < a[3] - EPS;

// The free space of the cloud as its maximal empty rectangles ([x0, y0, x1, y1]): every free spot
// lies in one of them. Rectangles smaller than the smallest word are dropped: nothing fits there.
class Free {
  constructor(box, minW, minH) {
    this.rects = [box];
    this.minW = minW;
    this.minH = minH;
  }

  holds(box) {
    return this.rects.some((r) => inside(box, r));
  }

  // Takes `b` out: every rectangle it cuts leaves up to four, of which the maximal are kept
  // (an untouched rectangle was maximal before, so only the new ones need checking).
  take(b) {
    const kept = [];
    const made = [];
    for (const r of this.rects) {
      if (!overlaps(b, r)) { kept.push(r); continue; }
      if (b[0] - r[0] >= this.minW) made.push([r[0], r[1], b[0], r[3]]);
      if (r[2] - b[2] >= this.minW) made.push([b[2], r[1], r[2], r[3]]);
      if (b[1] - r[1] >= this.minH) made.push([r[0], r[1], r[2], b[1]]);
      if (r[3] - b[3] >= this.minH) made.push([r[0], b[3], r[2], r[3]]);
    }
    for (const m of made) {
      if (m[2] - m[0] < this.minW || m[3] - m[1] < this.minH) continue;
      if (kept.some((o) => inside(m, o))) continue;
      if (made.some((o) => o !== m && inside(m, o) && !inside(o, m))) continue;
      kept.push(m);
    }
    this.rects = kept;
  }

  // The centre nearest (sx, sy) for a box of half-size hw × hh, or null: in each rectangle the
  // centre can go anywhere in a smaller one, and the nearest point of that is (sx, sy) clamped.
  // Distance is measured in the cloud's proportions, so a wide cloud grows sideways.
  nearest(hw, hh, sx, sy, aspect) {
    let best = null;
    let bestD = Infinity;
    for (const r of this.rects) {
      const x0 = r[0] + hw;
      const x1 = r[2] - hw;
      const y0 = r[1] + hh;
      const y1 = r[3] - hh;
      if (x0 > x1 + EPS || y0 > y1 + EPS) continue;
      const x = Math.min(Math.max(sx, x0), Math.max(x0, x1));
      const y = Math.min(Math.max(sy, y0), Math.max(y0, y1));
      const d = ((x - sx) / aspect) ** 2 + (y - sy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = [x, y];
      }
    }
    return best;
  }
}

// ---- Placing --------------------------------------------------------------------

// Half the width and height a word takes at `size`, its margins included.
const halfW = (word, size) => (word.ratio * size) / 2 + PAD_X * size;
const halfH = (size) => (LINE * size) / 2 + PAD_Y * size;
const boxAt = (word, x, y) => {
  const w = halfW(word, word.next);
  const h = halfH(word.next);
  return [x - w, y - h, x + w, y + h];
};

// The free place nearest (sx, sy) for `word` at its target size, or squeezed down to
// squeeze × target (the largest size that finds one); null when even that finds none. Sets `next`.
function nearestFor(layout, free, word, sx, sy) {
  const at = (size) => free.nearest(halfW(word, size), halfH(size), sx, sy, layout.aspect);
  word.next = word.target;
  let spot = at(word.target);
  if (spot || layout.squeeze === 1) return spot;
  let lo = word.target * layout.squeeze;
  spot = at(lo);
  if (!spot) return null;
  let hi = word.target;
  for (let i = 0; i < 6; i++) {
    const mid = (lo + hi) / 2;
    const found = at(mid);
    if (found) {
      lo = mid;
      spot = found;
    } else {
      hi = mid;
    }
  }
  word.next = lo;
  return spot;
}

// The largest size `word` can grow to about its centre before it meets another box or the edge:
// its box is its size times (a, b), so it meets a box `dx` away sideways and `dy` up or down at
// size max(dx / a, dy / b).
function roomAt(layout, word, boxes) {
  const a = word.ratio / 2 + PAD_X;
  const b = LINE / 2 + PAD_Y;
  let room = Math.min((layout.width / 2 - Math.abs(word.x)) / a, (layout.height / 2 - Math.abs(word.y)) / b);
  for (const box of boxes) {
    if (box === word.box) continue;
    const dx = Math.max(box[0] - word.x, word.x - box[2], 0);
    const dy = Math.max(box[1] - word.y, word.y - box[3], 0);
    room = Math.min(room, Math.max(dx / a, dy / b));
  }
  return room;
}

const within = (layout, box) => box[0] >= -layout.width / 2 && box[2] <= layout.width / 2
  && box[1] >= -layout.height / 2 && box[3] <= layout.height / 2;

// Where `word` fits at its target size (`next`) once the smaller words in its way move: where it
// is, or else the nearest such place; null when larger words leave none. `owners` maps boxes to words.
function spotOverSmaller(layout, word, boxes, owners) {
  const smaller = (o) => o === word.box || (owners.has(o) && owners.get(o).target < word.target);
  const here = boxAt(word, word.x, word.y);
  if (within(layout, here) && boxes.every((o) => smaller(o) || !overlaps(o, here))) return [word.x, word.y];
  const w = halfW(word, word.next);
  const h = halfH(word.next);
  const right = layout.width / 2;
  const bottom = layout.height / 2;
  const room = new Free([-right, -bottom, right, bottom], 2 * w - EPS, 2 * h - EPS);
  for (const o of boxes) if (!smaller(o)) room.take(o);
  return room.nearest(w, h, word.x, word.y, layout.aspect);
}

// Keeps each placed word where it is (into `nx`/`ny`, its box into `boxes`), at its target size or
// as near as its neighbours allow; larger words grow first. A word still left under
// squeeze × target takes the room it needs from smaller words, where it is or at the nearest place
// where only smaller words are in the way; they move instead, so a large word stays put. Returns
// the words that must move: those smaller words, words with no such place, and words a smaller
// cloud than last time leaves outside it.
function keep(layout, words, boxes) {
  const owners = new Map();
  const move = [];
  const unbox = (word) => {
    boxes.splice(boxes.indexOf(word.box), 1);
    word.box = null;
    word.nx = null;
    word.ny = null;
    move.push(word);
  };
  for (const word of words) {
    word.box = null;
    word.nx = null;
    word.ny = null;
    if (!word.placed) continue;
    word.next = Math.min(word.size, word.target);
    const box = boxAt(word, word.x, word.y);
    if (!within(layout, box) || boxes.some((o) => overlaps(o, box))) {
      move.push(word);
      continue;
    }
    word.box = box;
    word.nx = word.x;
    word.ny = word.y;
    owners.set(box, word);
    boxes.push(box);
  }
  for (const word of words) {
    if (!word.box || word.next >= word.target) continue;
    const grown = Math.min(word.target, roomAt(layout, word, boxes));
    if (grown > word.next) {
      word.next = grown;
      word.box.splice(0, 4, ...boxAt(word, word.x, word.y));
    }
    if (word.next >= word.target * layout.squeeze) continue;
    word.next = word.target;
    const spot = spotOverSmaller(layout, word, boxes, owners);
    if (!spot) {
      unbox(word);
      continue;
    }
    const box = boxAt(word, spot[0], spot[1]);
    for (const o of boxes.filter((b) => b !== word.box && overlaps(b, box))) unbox(owners.get(o));
    word.box.splice(0, 4, ...box);
    [word.nx, word.ny] = spot;
  }
  return move;
}

// Places every word at about its target size into `nx`/`ny` (and `next`); false when one finds no
// room. Placed words keep their place (see keep); a word that must move goes to the free place
// nearest its old one, or stays small where it was when there is none; a new word takes the free
// place nearest the middle.
function place(layout, words) {
  const right = layout.width / 2;
  const bottom = layout.height / 2;
  // The presenter's note has the bottom left corner.
  const boxes = [[-right, bottom - NOTE_H, -right + NOTE_W, bottom]];
  const move = keep(layout, words, boxes);
  const fresh = words.filter((w) => !w.placed);
  if (!move.length && !fresh.length) return true;

  // Someone needs a place: the free space is worked out from every box that stays.
  let minW = Infinity;
  let minH = Infinity;
  for (const word of [...move, ...fresh]) {
    minW = Math.min(minW, 2 * halfW(word, word.target * layout.squeeze));
    minH = Math.min(minH, 2 * halfH(word.target * layout.squeeze));
  }
  const free = new Free([-right, -bottom, right, bottom], minW - EPS, minH - EPS);
  for (const box of boxes) free.take(box);
  move.sort((p, q) => q.target - p.target);
  for (const word of move) {
    let spot = nearestFor(layout, free, word, word.x, word.y);
    if (!spot) {
      word.next = Math.min(word.size, word.target);
      if (!free.holds(boxAt(word, word.x, word.y))) return false;
      spot = [word.x, word.y];
    }
    free.take(boxAt(word, spot[0], spot[1]));
    [word.nx, word.ny] = spot;
  }
  for (const word of fresh) {
    const spot = nearestFor(layout, free, word, 0, 0);
    if (!spot) return false;
    free.take(boxAt(word, spot[0], spot[1]));
    [word.nx, word.ny] = spot;
  }
  return true;
}

// ---- Sizes ----------------------------------------------------------------------

// Sets each word's target font size: linear in its count (the top words stand out; a long tail of
// ones takes little room), along the fit's curve, times the cloud's scale. A word is never wider
// or taller than the cloud, whatever its count.
function sizeWords(layout, words) {
  let most = 1;
  for (const word of words) most = Math.max(most, word.count);
  const small = SMALLEST * layout.fit;
  const large = LARGEST * layout.fit ** LARGEST_POWER;
  for (const word of words) {
    let size = (small + (large - small) * (word.count / most)) * layout.scale;
    size = Math.min(size, (layout.width - EPS) / (word.ratio + 2 * PAD_X), (layout.height - EPS) / (LINE + 2 * PAD_Y));
    if (word.placed && Math.abs(size - word.size) < word.size * SIZE_STEP) size = word.size;
    word.target = Math.max(1, size);
  }
}

// The share of the cloud its words cover (margins included), as last placed.
function coverage(layout, words) {
  let area = 0;
  for (const word of words) if (word.nx !== null) area += 4 * halfW(word, word.next) * halfH(word.next);
  return area / (layout.width * layout.height);
}

// Lays out from nothing at every word's own size, a little under the largest fit at which every
// word finds room (found by halving, on a log scale: fits run from 1 down to a few hundredths).
function firstLayout(layout, words) {
  layout.squeeze = 1;
  layout.scale = 1;
  for (const word of words) word.placed = false;
  const tryFit = (fit) => {
    layout.fit = fit;
    sizeWords(layout, words);
    return place(layout, words);
  };
  if (!tryFit(1)) {
    let lo = Math.log(MIN_FIT);
    let hi = 0;
    for (let i = 0; i < 7; i++) {
      const mid = (lo + hi) / 2;
      if (tryFit(Math.exp(mid))) lo = mid;
      else hi = mid;
    }
    if (!tryFit(Math.exp(lo) * SLACK) && !tryFit(Math.exp(lo))) shrinkToFit(layout, words);
  }
  layout.rescaleAt = layout.scale * RESCALE;
  // A cloud of a few large words covers little however it is laid out: no point trying again soon.
  layout.compactAt = Math.min(COMPACT, coverage(layout, words) * 0.8);
}

// The font size of the most-sent word, before any word is clamped to the cloud's width.
const largest = (layout) => LARGEST * layout.fit ** LARGEST_POWER * layout.scale;

// Even the smallest fit leaves words out: every word smaller still (the scale, found by halving
// as the fit is), down to MIN_LARGEST for the largest. Only below that does a word go unshown.
function shrinkToFit(layout, words) {
  const tryScale = (scale) => {
    layout.scale = scale;
    sizeWords(layout, words);
    return place(layout, words);
  };
  let lo = Math.log(Math.min(1, MIN_LARGEST / largest({ ...layout, scale: 1 })));
  let hi = 0;
  if (!tryScale(Math.exp(lo))) return;
  for (let i = 0; i < 7; i++) {
    const mid = (lo + hi) / 2;
    if (tryScale(Math.exp(mid))) lo = mid;
    else hi = mid;
  }
  if (!tryScale(Math.exp(lo) * SLACK)) tryScale(Math.exp(lo));
}

// Lays the words out afresh if that is clearly better than the cloud shrunk in place (see
// RESCALE); otherwise leaves the last layout as it was, and tries again only once it shrank further.
function tryAfresh(layout, words) {
  const saved = words.map((w) => [w.nx, w.ny, w.next, w.placed]);
  const { fit, scale, squeeze } = layout;
  const top = largest(layout);
  const covered = coverage(layout, words);
  firstLayout(layout, words);
  if (largest(layout) >= top * BETTER || coverage(layout, words) >= covered * BETTER) return;
  words.forEach((w, i) => { [w.nx, w.ny, w.next, w.placed] = saved[i]; });
  Object.assign(layout, { fit, scale, squeeze, rescaleAt: scale * RESCALE, compactAt: covered * 0.9 });
}

// Sizes and places the words. Nothing is committed to `x`/`y`/`size` until a layout succeeded,
// so a failed try moves nothing.
function arrange(layout, words) {
  if (!words.some((w) => w.placed)) {
    firstLayout(layout, words);
  } else {
    layout.squeeze = SQUEEZE;
    sizeWords(layout, words);
    while (!place(layout, words) && (layout.fit * layout.scale > MIN_FIT || largest(layout) > MIN_LARGEST)) {
      layout.scale *= SHRINK;
      sizeWords(layout, words);
    }
    if (layout.fit * layout.scale < 1
      && (layout.scale < layout.rescaleAt || coverage(layout, words) < layout.compactAt)) tryAfresh(layout, words);
  }
  for (const word of words) {
    // Only where even the smallest fit leaves no room (a tiny box) does a word go unshown.
    word.shown = word.nx !== null;
    if (!word.shown) continue;
    word.x = word.nx;
    word.y = word.ny;
    word.size = word.next;
    word.placed = true;
  }
}

// ---- The view -------------------------------------------------------------------

// A colour from the word itself, so it keeps its colour when its rank changes. Colour means
// nothing here: size carries the count.
function colourOf(key) {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % COLOURS;
}

// The words of a results frame: text and count, one per case-folded text, at most TOP.
function wordsOf(results) {
  const list = results && Array.isArray(results.words) ? results.words : [];
  const seen = new Set();
  const out = [];
  for (const raw of list) {
    if (out.length >= TOP) break;
    if (!raw || (typeof raw.text !== 'string' && typeof raw.text !== 'number')) continue;
    const text = String(raw.text);
    const key = text.toLowerCase();
    const n = count(raw.count);
    if (!text.trim() || !n || seen.has(key)) continue;
    seen.add(key);
    out.push({ key, text, count: n });
  }
  return out;
}

export function build(container, question) {
  const { summary, picture: cloud } =
    preparePicture(container, 'wordcloud', views.get(container), { summary: 'cloud-summary', picture: 'cloud' });
  const empty = element('p', 'cloud-empty', t('cloud.empty'));
  const note = element('p', 'cloud-note');
  note.hidden = true;
  container.append(summary, cloud, empty, note);
  const view = {
    cloud, summary, empty, note,
    words: new Map(),
    layout: { width: 0, height: 0, aspect: 1, fit: 1, scale: 1, squeeze: 1, rescaleAt: 0, compactAt: 0 },
    // The cloud's box as last observed (null: not yet), so a paint need not ask the page for it.
    box: null,
    list: [],
    signature: '',
    family: '',
    observer: null,
  };
  views.set(container, view);
  // The stage is a fixed 1920×1080, so the box changes only when the slide around it does
  // (the title shrinks to fit, results are hidden and shown).
  if (window.ResizeObserver) {
    view.observer = new ResizeObserver((entries) => {
      if (!cloud.isConnected) {
        view.observer.disconnect();
        return;
      }
      const rect = entries[entries.length - 1].contentRect;
      view.box = { width: Math.floor(rect.width), height: Math.floor(rect.height) };
      layOut(view);
    });
    view.observer.observe(cloud);
  }
}

// Brings the words in `view.list` onto the page: a layout only when the words or the box changed,
// and DOM writes only for words that appeared, left, moved or changed size.
function layOut(view) {
  const box = view.box || { width: view.cloud.clientWidth, height: view.cloud.clientHeight };
  const { width, height } = box;
  // A hidden view has no box: it is laid out when it is shown again.
  if (!(width > 0 && height > 0)) return;
  const layout = view.layout;
  const signature = `${width}x${height}|${view.list.map((w) => `${w.count}:${w.text}`).join('\u0000')}`;
  if (signature === view.signature) return;
  view.signature = signature;
  if (width !== layout.width || height !== layout.height) {
    // A larger box starts again from a first layout; a smaller one moves only the words now outside it.
    const grew = width > layout.width || height > layout.height;
    layout.width = width;
    layout.height = height;
    layout.aspect = Math.max(0.5, Math.min(4, width / height));
    if (grew) for (const word of view.words.values()) word.placed = false;
  }
  if (!view.family) view.family = getComputedStyle(view.cloud).fontFamily || 'sans-serif';

  const current = new Set(view.list.map((w) => w.key));
  for (const [key, word] of view.words) {
    if (current.has(key)) continue;
    word.el.remove();
    view.words.delete(key);
  }
  const words = view.list.map((item) => {
    let word = view.words.get(item.key);
    if (!word) {
      word = { key: item.key, text: '', ratio: 0, el: null, placed: false, shown: false, size: 0, x: 0, y: 0 };
      view.words.set(item.key, word);
    }
    if (word.text !== item.text) {
      word.text = item.text;
      word.ratio = measure(item.text, view.family);
    }
    word.count = item.count;
    return word;
  });
  if (words.length) arrange(layout, words);
  draw(view, words);
}

const transformOf = (at) => `translate(${at.x.toFixed(1)}px, ${at.y.toFixed(1)}px) translate(-50%, -50%)`;
let still = null;
const reducedMotion = () => {
  if (still === null) still = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : false;
  return !!still && still.matches;
};

// Eases a word from where and how large it was drawn to where it is now. The word is laid out at
// its new size at once and its transform animated (scaled from the old size): the compositor
// runs that, where a transition of 150 font sizes would lay the text out again on every frame.
function ease(word, was) {
  if (reducedMotion() || !word.el.animate) return;
  if (word.animation) word.animation.cancel();
  const from = `${transformOf(was)} scale(${(was.size / word.size).toFixed(4)})`;
  word.animation = word.el.animate([{ transform: from }, { transform: `${transformOf(word)} scale(1)` }],
    { duration: 300, easing: 'ease-out' });
}

// One span per word, centred on its place; only what changed is written.
function draw(view, words) {
  const added = document.createDocumentFragment();
  for (const word of words) {
    let el = word.el;
    if (!el) {
      el = element('span', `cloud-word c${colourOf(word.key)}`);
      // Right-to-left words read in their own direction, inside their own box.
      el.dir = 'auto';
      word.el = el;
      added.append(el);
    }
    // Participant text goes in as text only, never as markup.
    if (word.written !== word.text) {
      el.textContent = word.text;
      word.written = word.text;
    }
    if (el.hidden === word.shown) el.hidden = !word.shown;
    if (!word.shown) {
      word.drawn = null;
      continue;
    }
    // Compared with what was last written, as the page gives styles back in its own spelling.
    const size = `${word.size.toFixed(1)}px`;
    const transform = transformOf(word);
    const was = word.drawn;
    if (was && was.fontSize === size && was.transform === transform) continue;
    el.style.fontSize = size;
    el.style.transform = transform;
    if (was) ease(word, was);
    word.drawn = { x: word.x, y: word.y, size: word.size, fontSize: size, transform };
  }
  view.cloud.append(added);
}

function describe(list, respondents) {
  const answers = plural(respondents, 'summary.answers');
  if (!list.length) return t('cloud.none', { answers });
  const spoken = list.slice(0, SPOKEN).map((w) => `${w.text}, ${num(w.count)}`).join('; ');
  const more = list.length > SPOKEN ? t('list.more', { n: num(list.length - SPOKEN) }) : '';
  return t('cloud.top', { answers, list: `${spoken}${more}` });
}

const setHidden = (el, hidden) => {
  if (el.hidden !== hidden) el.hidden = hidden;
};

export function paint(container, question, results, { projector = false } = {}) {
  let view = views.get(container);
  if (!view || view.cloud.parentNode !== container) {
    build(container, question);
    view = views.get(container);
  }
  view.list = wordsOf(results);
  const respondents = count(results && results.respondents);
  setText(view.summary, describe(view.list, respondents));
  setHidden(view.empty, view.list.length > 0);
  // The room never learns that words were kept off the screen; the speaker may.
  const filtered = projector ? 0 : count(results && results.filtered);
  setText(view.note, filtered ? plural(filtered, 'cloud.filtered') : '');
  setHidden(view.note, !filtered);
  layOut(view);
}
