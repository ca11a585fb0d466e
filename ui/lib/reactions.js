// Live reactions on the projector: each new reaction rises from the bottom edge and fades;
// with reduced motion, a quiet line of counts instead. The presenter view shows the counts.
//
// The server sends running totals (`reactions` frames), zeros included, on every connect: those
// are the page's baseline, so a reconnect never replays old reactions as a burst.

// At most this many emoji start per frame: ten thousand phones must not flood the screen.
const MOST_PER_FRAME = 24;
const RISE_MS = 2600;

export function createReactions({ overlay, counts, animate }) {
  let emoji = [];
  let seen = null;

  // With the deck frame, the first on every (re)connect.
  function setEmoji(list) {
    emoji = Array.isArray(list) ? list.map(String) : [];
    seen = null;
    paintCounts(emoji.map(() => 0));
  }

  function paintCounts(totals) {
    if (!counts) return;
    counts.hidden = !emoji.length;
    const text = emoji.map((e, i) => `${e} ${Number(totals[i]) || 0}`).join('  ');
    if (counts.textContent !== text) counts.textContent = text;
  }

  function onTotals(totals) {
    if (!Array.isArray(totals)) return;
    paintCounts(totals);
    const previous = seen;
    seen = totals.map((t) => Number(t) || 0);
    if (!previous || !overlay || !animate()) return;
    const fresh = [];
    seen.forEach((total, i) => {
      for (let n = Math.min(total - (previous[i] || 0), MOST_PER_FRAME); n > 0; n--) fresh.push(i);
    });
    shuffle(fresh).slice(0, MOST_PER_FRAME).forEach((i, k) => rise(emoji[i], k));
  }

  function rise(text, order) {
    if (!text) return;
    const el = document.createElement('span');
    el.className = 'reaction';
    el.setAttribute('aria-hidden', 'true');
    // Emoji are text from the deck's front matter: set as text, never markup.
    el.textContent = text;
    el.style.left = `${4 + Math.random() * 22}%`;
    el.style.animationDelay = `${order * 60}ms`;
    el.style.setProperty('--drift', `${Math.round((Math.random() - 0.5) * 160)}px`);
    overlay.append(el);
    setTimeout(() => el.remove(), RISE_MS + order * 60 + 100);
  }

  return { setEmoji, onTotals };
}

function shuffle(list) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}
