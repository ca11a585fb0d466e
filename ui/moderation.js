// The speaker's moderation queue (presenter view only; the projector never asks for posts):
// every open-question post and Q&A question from the `board` frame, kept up to date by
// `board_changes`, filtered into Pending, Shown, Hidden and Answered, with buttons and keys
// that send `moderate` and `highlight`, and the Q&A on/off switch (`set_qa`).
//
// Post text is participant text: it is only ever set with textContent, and shown to the speaker
// as sent (the filter's masked version beside it), since the speaker decides what the room sees.
import { element, setText } from './lib/bars.js';
import { num, plural, t } from './lib/i18n.js';

// Rows drawn at once: a queue may hold thousands of posts, a side pane shows a handful.
const LIMIT = 200;
// A change the server has not confirmed within this long is shown as it really is again.
const SENDING_MS = 4000;

const isQa = (post) => post.question === 'qa';
const visible = (state) => state === 'shown' || state === 'pinned' || state === 'answered';

const FILTERS = {
  pending: (p) => p.state === 'pending',
  shown: (p) => p.state === 'shown' || p.state === 'pinned',
  hidden: (p) => p.state === 'hidden',
  answered: (p) => p.state === 'answered',
};

const at = (p) => (Number.isFinite(p.at) ? p.at : 0);
// Pending posts in the order they came (a queue is worked from the front); the rest newest first,
// a pinned post on top of the shown ones.
const ORDER = {
  pending: (a, b) => at(a) - at(b) || a.id - b.id,
  shown: (a, b) => (b.state === 'pinned') - (a.state === 'pinned') || at(b) - at(a) || b.id - a.id,
  hidden: (a, b) => at(b) - at(a) || b.id - a.id,
  answered: (a, b) => at(b) - at(a) || b.id - a.id,
};

const WORDS = {
  pending: t('moderation.statePending'), shown: t('moderation.stateShown'), hidden: t('moderation.stateHidden'),
  pinned: t('moderation.statePinned'), answered: t('moderation.stateAnswered'),
};
const SENDING_WORDS = {
  shown: t('moderation.approving'), hidden: t('moderation.hiding'), pinned: t('moderation.pinning'),
  answered: t('moderation.marking'),
};
const EMPTY = {
  pending: t('moderation.emptyPending'), shown: t('moderation.emptyShown'), hidden: t('moderation.emptyHidden'),
  answered: t('moderation.emptyAnswered'),
};

// The actions on a post, in the order of their buttons, each with its key. Pin, Answered and
// Highlight are switches (pressed while on, pressed again to undo); Approve and Hide just do.
// The keys are the same in every language.
const ACTIONS = [
  { name: 'approve', key: 'A', label: t('moderation.approve'), applies: () => true,
    enabled: (p) => p.state === 'pending' || p.state === 'hidden' },
  { name: 'hide', key: 'H', label: t('moderation.hide'), applies: () => true, enabled: (p) => p.state !== 'hidden' },
  { name: 'pin', key: 'P', label: t('moderation.pin'), applies: (p) => !isQa(p), enabled: () => true,
    on: (p) => p.state === 'pinned' },
  { name: 'answered', key: 'D', label: t('moderation.markAnswered'), applies: isQa, enabled: () => true,
    on: (p) => p.state === 'answered' },
  { name: 'highlight', key: 'L', label: t('moderation.highlight'), applies: isQa, enabled: (p) => visible(p.state),
    on: (p, lit) => lit },
];
const ACTION_BY_KEY = new Map(ACTIONS.map((a) => [a.key.toLowerCase(), a]));

function clock(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// A post from the wire, or null when it lacks what the queue needs.
function postOf(raw) {
  if (!raw || !Number.isFinite(raw.id) || typeof raw.text !== 'string') return null;
  if (!Object.prototype.hasOwnProperty.call(WORDS, raw.state)) return null;
  return {
    id: raw.id,
    question: String(raw.question ?? ''),
    text: raw.text,
    masked: typeof raw.masked === 'string' ? raw.masked : raw.text,
    flagged: raw.flagged === true,
    state: raw.state,
    upvotes: Number.isFinite(raw.upvotes) && raw.upvotes > 0 ? raw.upvotes : 0,
    at: Number(raw.at) || 0,
  };
}

export function createModeration({ send, say }) {
  const $ = (id) => document.getElementById(id);
  const pane = $('moderation-pane');
  const queue = $('queue');
  const more = $('queue-more');
  const empty = $('queue-empty');
  const qaToggle = $('qa-toggle');
  const qaStatus = $('qa-status');
  const filterButtons = [...document.querySelectorAll('#moderation-filters [data-filter]')];

  const posts = new Map();
  // id → { el, parts } for the rows on the page (at most LIMIT).
  const rows = new Map();
  // id → { state, until }: a change sent and not yet confirmed by the server.
  const sending = new Map();
  let prompts = new Map();
  let qa = null;
  let filter = 'pending';
  let selected = null;
  let selectedIndex = 0;
  let list = [];
  let boardSeen = false;
  let expiry = 0;
  // A past session shown again (the deck frame's `review`): its posts stay as they were.
  let readOnly = false;

  const questionName = (post) => (isQa(post) ? t('moderation.qa') : prompts.get(post.question) || post.question);
  const highlighted = () => (qa && Number.isFinite(qa.highlight) ? qa.highlight : null);
  const go = (type, extra) => {
    if (!send(type, extra)) say(t('moderation.notConnected'));
    return true;
  };

  // ---- Rows ----

  function buildRow(post) {
    const el = element('li', 'post');
    el.dataset.id = String(post.id);
    el.tabIndex = -1;
    const meta = element('div', 'post-meta');
    const parts = {
      question: element('span', 'post-question'),
      votes: element('span', 'post-votes'),
      state: element('span', 'post-state'),
      flag: element('span', 'post-flag', t('moderation.filtered')),
      time: element('span', 'post-time'),
      text: element('p', 'post-text'),
      masked: element('p', 'post-masked'),
      buttons: new Map(),
    };
    // Right-to-left posts read in their own direction.
    parts.question.dir = 'auto';
    parts.text.dir = 'auto';
    parts.masked.dir = 'auto';
    meta.append(parts.question, parts.votes, parts.state, parts.flag, parts.time);
    const actions = element('div', 'post-actions');
    for (const action of ACTIONS) {
      const button = element('button', `post-action ${action.name}`);
      button.type = 'button';
      button.dataset.action = action.name;
      button.tabIndex = -1;
      button.setAttribute('aria-keyshortcuts', action.key);
      const key = element('kbd', '', action.key);
      key.setAttribute('aria-hidden', 'true');
      button.append(key, element('span', 'post-action-label', action.label));
      if (action.on) button.setAttribute('aria-pressed', 'false');
      parts.buttons.set(action.name, button);
      actions.append(button);
    }
    el.append(meta, parts.text, parts.masked, actions);
    return { el, parts };
  }

  function paintRow(row, post) {
    const { el, parts } = row;
    const lit = highlighted() === post.id;
    const pendingChange = sending.get(post.id);
    setText(parts.question, questionName(post));
    parts.votes.hidden = !isQa(post);
    setText(parts.votes, plural(post.upvotes, 'moderation.votes', { n: num(post.upvotes, { useGrouping: false }) }));
    const word = pendingChange ? SENDING_WORDS[pendingChange.state]
      : (lit ? t('moderation.lit', { state: WORDS[post.state] }) : WORDS[post.state]);
    setText(parts.state, word);
    parts.state.className = `post-state ${pendingChange ? 'sending' : post.state}${lit ? ' lit' : ''}`;
    parts.flag.hidden = !post.flagged;
    setText(parts.time, clock(post.at));
    setText(parts.text, post.text);
    // The room sees the masked text of a flagged post: the speaker sees both.
    const masked = post.flagged && post.masked !== post.text;
    parts.masked.hidden = !masked;
    setText(parts.masked, masked ? t('moderation.onScreen', { text: post.masked }) : '');
    el.classList.toggle('sending', !!pendingChange);
    el.classList.toggle('lit', lit);
    for (const action of ACTIONS) {
      const button = parts.buttons.get(action.name);
      const applies = action.applies(post);
      button.hidden = !applies;
      if (!applies) continue;
      button.disabled = readOnly || !action.enabled(post);
      if (action.on) button.setAttribute('aria-pressed', String(action.on(post, lit)));
    }
  }

  // ---- The list ----

  function counts() {
    const n = { pending: 0, shown: 0, hidden: 0, answered: 0 };
    for (const post of posts.values()) {
      for (const name of Object.keys(FILTERS)) if (FILTERS[name](post)) n[name]++;
    }
    return n;
  }

  function render() {
    const hadFocus = queue.contains(document.activeElement);
    const n = counts();
    const anyQa = (qa && qa.open) || [...posts.values()].some(isQa);
    for (const button of filterButtons) {
      const name = button.dataset.filter;
      setText(button.querySelector('.n'), String(n[name]));
      button.setAttribute('aria-pressed', String(name === filter));
      button.classList.toggle('attention', name === 'pending' && n.pending > 0);
      if (name === 'answered') button.hidden = !anyQa && filter !== 'answered';
    }

    const all = [...posts.values()].filter(FILTERS[filter]).sort(ORDER[filter]);
    list = all.slice(0, LIMIT);
    const keep = new Set(list.map((p) => p.id));
    for (const [id, row] of rows) {
      if (keep.has(id)) continue;
      row.el.remove();
      rows.delete(id);
    }
    const els = list.map((post) => {
      let row = rows.get(post.id);
      if (!row) { row = buildRow(post); rows.set(post.id, row); }
      paintRow(row, post);
      return row.el;
    });
    // Rows are moved only when the order changed: a repaint with the same posts touches nothing.
    const current = queue.children;
    if (els.length !== current.length || els.some((el, i) => el !== current[i])) queue.append(...els);

    // The selection stays on its post while it is in the list; else on the row that took its place.
    if (!keep.has(selected)) {
      const i = Math.min(selectedIndex, list.length - 1);
      selected = i >= 0 ? list[i].id : null;
    }
    for (const [id, row] of rows) {
      const on = id === selected;
      row.el.tabIndex = on ? 0 : -1;
      row.el.classList.toggle('selected', on);
    }
    if (selected === null && list.length) rows.get(list[0].id).el.tabIndex = 0;
    selectedIndex = Math.max(0, list.findIndex((p) => p.id === selected));
    if (hadFocus && !queue.contains(document.activeElement)) focusSelected();

    const rest = all.length - list.length;
    more.hidden = rest <= 0;
    setText(more, rest > 0 ? t('moderation.more', { n: num(rest, { useGrouping: false }) }) : '');
    empty.hidden = all.length > 0;
    setText(empty, EMPTY[filter]);
    queue.setAttribute('aria-label', t('moderation.list', {
      filter: filterButtons.find((b) => b.dataset.filter === filter).querySelector('.label').textContent,
    }));
  }

  function focusSelected() {
    const row = selected !== null ? rows.get(selected) : null;
    if (!row) return;
    row.el.focus({ preventScroll: true });
    row.el.scrollIntoView({ block: 'nearest' });
  }

  function select(id, focus) {
    if (!rows.has(id)) return;
    selected = id;
    selectedIndex = Math.max(0, list.findIndex((p) => p.id === id));
    for (const [rid, row] of rows) {
      row.el.tabIndex = rid === id ? 0 : -1;
      row.el.classList.toggle('selected', rid === id);
    }
    if (focus) focusSelected();
  }

  function move(by) {
    if (!list.length) return;
    const i = list.findIndex((p) => p.id === selected);
    const next = Math.max(0, Math.min(list.length - 1, (i < 0 ? 0 : i + by)));
    select(list[next].id, true);
  }

  // ---- Actions ----

  function act(id, name) {
    const post = posts.get(id);
    const action = ACTIONS.find((a) => a.name === name);
    if (!post || !action || !action.applies(post) || !action.enabled(post)) return;
    if (readOnly) {
      say(t('moderation.readOnly'));
      return;
    }
    if (name === 'highlight') {
      go('highlight', { entry: highlighted() === id ? null : id });
      return;
    }
    const state = {
      approve: 'shown',
      hide: 'hidden',
      pin: post.state === 'pinned' ? 'shown' : 'pinned',
      answered: post.state === 'answered' ? 'shown' : 'answered',
    }[name];
    go('moderate', { entry: id, state });
    // Shown as under way until the server confirms; a post leaving this list hands the
    // selection to the next one at once, so a run of A A A works down the queue.
    sending.set(id, { state, until: Date.now() + SENDING_MS });
    scheduleExpiry();
    if (id === selected && !FILTERS[filter]({ ...post, state })) {
      const i = list.findIndex((p) => p.id === id);
      const next = list.slice(i + 1).find((p) => !sending.has(p.id)) || list.slice(0, i).reverse().find((p) => !sending.has(p.id));
      if (next) select(next.id, queue.contains(document.activeElement));
    }
    render();
  }

  function scheduleExpiry() {
    if (expiry) return;
    expiry = setTimeout(() => {
      expiry = 0;
      const now = Date.now();
      for (const [id, s] of sending) if (s.until <= now) sending.delete(id);
      if (sending.size) scheduleExpiry();
      render();
    }, 500);
  }

  // Keys act only while focus is in the queue, so they never meet the slide keys; arrows up and
  // down select instead of changing slides there, left and right still change slides.
  queue.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const rowEl = e.target.closest && e.target.closest('li.post');
    if (!rowEl) return;
    const id = Number(rowEl.dataset.id);
    switch (e.key) {
      case 'ArrowDown': move(1); break;
      case 'ArrowUp': move(-1); break;
      case 'Home': if (list.length) select(list[0].id, true); break;
      case 'End': if (list.length) select(list[list.length - 1].id, true); break;
      default: {
        const action = ACTION_BY_KEY.get(e.key.length === 1 ? e.key.toLowerCase() : '');
        if (!action) return;
        if (id !== selected) select(id, false);
        act(id, action.name);
      }
    }
    e.preventDefault();
  });
  // A click must not leave focus on a button (a clicker's Space would press it again):
  // the row takes focus instead, so that keys go on from there.
  queue.addEventListener('mousedown', (e) => { if (e.target.closest('button')) e.preventDefault(); });
  queue.addEventListener('click', (e) => {
    const rowEl = e.target.closest('li.post');
    if (!rowEl) return;
    const id = Number(rowEl.dataset.id);
    select(id, true);
    const button = e.target.closest('button[data-action]');
    if (button && !button.disabled) act(id, button.dataset.action);
  });
  queue.addEventListener('focusin', (e) => {
    const rowEl = e.target.closest('li.post');
    if (rowEl && Number(rowEl.dataset.id) !== selected) select(Number(rowEl.dataset.id), false);
  });
  for (const button of filterButtons) {
    button.addEventListener('click', () => {
      if (filter === button.dataset.filter) return;
      filter = button.dataset.filter;
      selected = null;
      selectedIndex = 0;
      queue.parentElement.scrollTop = 0;
      render();
    });
  }
  qaToggle.addEventListener('click', () => go('set_qa', { open: !(qa && qa.open) }));

  // ---- Frames ----

  function showPane() {
    pane.hidden = !(boardSeen || qa);
  }

  return {
    onDeck(deck) {
      readOnly = !!(deck && deck.review);
      qaToggle.disabled = readOnly;
      prompts = new Map();
      for (const slide of deck.slides || []) {
        const q = slide && slide.question;
        if (q && q.id != null) prompts.set(String(q.id), String(q.prompt ?? q.id));
      }
      render();
    },
    onState(state) {
      const was = JSON.stringify(qa);
      qa = state && state.qa && typeof state.qa === 'object' ? state.qa : null;
      const open = !!(qa && qa.open);
      setText(qaStatus, qa ? t(open ? 'moderation.qaOn' : 'moderation.qaOff') : '');
      qaStatus.title = open && qa.moderated ? t('moderation.qaModerated') : '';
      qaStatus.className = open ? 'on' : '';
      setText(qaToggle, t(open ? 'moderation.turnOff' : 'moderation.turnOn'));
      showPane();
      if (JSON.stringify(qa) !== was) render();
    },
    onBoard(list) {
      boardSeen = true;
      posts.clear();
      for (const raw of Array.isArray(list) ? list : []) {
        const post = postOf(raw);
        if (post) posts.set(post.id, post);
      }
      sending.clear();
      showPane();
      render();
    },
    onChanges(list) {
      for (const raw of Array.isArray(list) ? list : []) {
        const post = postOf(raw);
        if (!post) continue;
        posts.set(post.id, post);
        sending.delete(post.id);
      }
      render();
    },
  };
}
