// The quiz's standings on the stage, for a slide holding <!-- leaderboard --> or <!-- podium -->
// (`scores` in the deck frame), drawn from `state.standings`:
//   leaderboard – the top ten: rank, name, points, and what each gained with the last question;
//   podium      – the top three on steps, revealed third, second, then first.
// And the speaker's list of the same players, with a way to take a nickname off the screen.
//
// Nicknames are participant text: they are only ever set with textContent.
import { count, element, setText } from './bars.js';
import { lang, ordinal, plural, t } from './i18n.js';

const ROWS = 10;
// The podium's places appear this far apart, the first after the same pause.
const PODIUM_STEP_MS = 1200;
// Podium positions from left to right: second, first, third (top[1], top[0], top[2]).
const PODIUM_ORDER = [1, 0, 2];
// Names longer than this many characters get smaller type on the podium.
const LONG_NAME = 12;

export const SCORES = ['leaderboard', 'podium'];
export const scoresOf = (slide) => (slide && !slide.question && SCORES.includes(slide.scores) ? slide.scores : null);

// The standings frame's rows, in rank order, or [] when there are none.
export function topOf(standings) {
  const top = standings && Array.isArray(standings.top) ? standings.top : [];
  return top.filter((e) => e && Number.isFinite(e.player)).slice(0, ROWS);
}

export const nameOf = (entry) => (typeof entry.nickname === 'string' && entry.nickname.trim()
  ? entry.nickname : t('player.name', { n: entry.player }));

export { ordinal };

const number = (n) => new Intl.NumberFormat(lang).format(count(n));
const gainedText = (entry) => (Number.isFinite(entry.gained) ? `+${number(entry.gained)}` : '');
const reducedMotion = () => window.matchMedia && matchMedia('(prefers-reduced-motion: reduce)').matches;

function leaderboard() {
  const box = element('div', 'lb');
  const head = element('div', 'lb-head');
  head.setAttribute('aria-hidden', 'true');
  head.append(element('span'), element('span'), element('span', 'lb-points', t('standings.points')),
    element('span', 'lb-gained', t('standings.last')));
  box.append(head, element('ol', 'lb-list'));
  return box;
}

function paintLeaderboard(box, top) {
  const list = box.querySelector('.lb-list');
  // Ten rows at most: rebuilt when they change, nothing to animate.
  const key = JSON.stringify(top);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.textContent = '';
  for (const entry of top) {
    const name = element('span', 'lb-name', nameOf(entry));
    name.dir = 'auto';
    const li = element('li', `lb-row${entry.rank === 1 ? ' first' : ''}`);
    li.append(element('span', 'lb-rank', String(count(entry.rank))), name,
      element('span', 'lb-points', number(entry.points)), element('span', 'lb-gained', gainedText(entry)));
    const about = { place: ordinal(count(entry.rank)), name: nameOf(entry) };
    li.setAttribute('aria-label', plural(count(entry.points), 'standings.aria', about)
      + (Number.isFinite(entry.gained) ? t('standings.ariaGained', { gained: gainedText(entry) }) : ''));
    list.append(li);
  }
}

function podium() {
  const box = element('div', 'podium');
  PODIUM_ORDER.forEach((position) => {
    const place = element('div', 'podium-place');
    place.dataset.position = String(position);
    const who = element('div', 'podium-who');
    const name = element('p', 'podium-name');
    name.dir = 'auto';
    who.append(name, element('p', 'podium-points'));
    const step = element('div', 'podium-step');
    step.append(element('span', 'podium-rank', ordinal(position + 1)));
    place.append(who, step);
    box.append(place);
  });
  return box;
}

// `shown`: how many places are revealed, counted from the third.
function paintPodium(box, top, shown) {
  for (const place of box.querySelectorAll('.podium-place')) {
    const position = Number(place.dataset.position);
    const entry = top[position] || null;
    const revealed = !!entry && position >= 3 - shown;
    place.classList.toggle('empty', !entry);
    place.classList.toggle('revealed', revealed);
    // Hidden places keep their size, so the steps do not move when a name appears.
    const name = entry ? nameOf(entry) : '';
    const nameBox = place.querySelector('.podium-name');
    setText(nameBox, name);
    // Smaller type for a long nickname, so that its 20 characters fit on the two lines there are.
    nameBox.classList.toggle('long', [...name].length > LONG_NAME);
    setText(place.querySelector('.podium-points'), entry ? plural(count(entry.points), 'standings.pointsOf') : '');
    // Ties share a rank: the step says the rank the player has, not its position.
    setText(place.querySelector('.podium-rank'), ordinal(entry ? count(entry.rank) || position + 1 : position + 1));
    place.setAttribute('aria-label', revealed
      ? plural(count(entry.points), 'standings.aria', { place: ordinal(count(entry.rank)), name: nameOf(entry) }) : '');
    place.setAttribute('aria-hidden', revealed ? 'false' : 'true');
  }
}

// The board on one stage. `instant`: a preview, where the podium shows everyone at once.
export function createStandingsBoard(stage, { instant = false } = {}) {
  const board = element('section', 'standings-board');
  board.setAttribute('aria-label', t('standings.label'));
  board.hidden = true;
  const foot = element('p', 'standings-foot');
  stage.insertBefore(board, stage.querySelector('.join'));

  let mode = null;
  let view = null;
  // The podium's reveal: places shown so far and the timer of the next one.
  let shown = 0;
  let timer = 0;
  let last = null;

  function stop() {
    clearTimeout(timer);
    timer = 0;
  }

  function show(next) {
    const scores = SCORES.includes(next) ? next : null;
    board.hidden = !scores;
    stage.classList.toggle('scores', !!scores);
    // Called for each slide shown: a podium slide shown again reveals its places again.
    stop();
    mode = scores;
    shown = 0;
    board.textContent = '';
    view = scores === 'podium' ? podium() : scores === 'leaderboard' ? leaderboard() : null;
    if (view) board.append(view, foot);
    board.dataset.scores = scores || '';
  }

  // One more place every PODIUM_STEP_MS, once there is someone to put on it.
  function advance() {
    timer = 0;
    if (mode !== 'podium' || shown >= 3) return;
    shown += 1;
    paint(last);
    if (shown < 3) timer = setTimeout(advance, PODIUM_STEP_MS);
  }

  function paint(standings) {
    last = standings;
    if (!view) return;
    const top = topOf(standings);
    const players = count(standings && standings.players);
    if (mode === 'leaderboard') paintLeaderboard(view, top);
    else {
      if (top.length && (instant || reducedMotion())) {
        stop();
        shown = 3;
      } else if (top.length && !shown && !timer) {
        timer = setTimeout(advance, PODIUM_STEP_MS);
      }
      paintPodium(view, top, shown);
    }
    setText(foot, top.length ? plural(players, 'standings.players') : t('standings.none'));
  }

  return { show, paint, element: board };
}

// The speaker's list of the top players with a Rename button each (presenter view only): a
// nickname that should not be on the screen becomes "Player N" once `confirm` agrees.
export function createPlayersPane({ pane, list, summary, confirm, rename }) {
  let shown = '';
  function paint(standings) {
    const top = topOf(standings);
    pane.hidden = !standings;
    if (!standings) return;
    const players = count(standings.players);
    setText(summary, top.length ? plural(players, 'standings.players') : t('standings.none'));
    // Rebuilt only when the rows change: a state frame must not pull a button from under the pointer.
    const key = JSON.stringify(top);
    if (key === shown) return;
    shown = key;
    // The focused button, found again by its player after the rows are rebuilt.
    const focused = document.activeElement && list.contains(document.activeElement)
      ? document.activeElement.dataset.player : null;
    list.textContent = '';
    for (const entry of top) {
      const name = element('span', 'player-name', nameOf(entry));
      name.dir = 'auto';
      // Renamed players come back as "Player N" (or with no nickname): nothing left to take off.
      const named = typeof entry.nickname === 'string' && entry.nickname.trim() !== ''
        && entry.nickname !== `Player ${entry.player}` && entry.nickname !== t('player.name', { n: entry.player });
      const button = element('button', 'small player-rename', t('players.rename'));
      button.type = 'button';
      button.dataset.player = String(entry.player);
      button.disabled = !named;
      button.title = named ? t('players.renameTitle', { player: t('player.name', { n: entry.player }) }) : t('players.noNickname');
      button.setAttribute('aria-label', t('players.renameLabel', { name: nameOf(entry), player: t('player.name', { n: entry.player }) }));
      // A click must not leave the focus here: a clicker's Space would press it again.
      button.addEventListener('mousedown', (e) => e.preventDefault());
      button.addEventListener('click', async () => {
        if (await confirm(entry)) rename(entry.player);
      });
      const li = element('li', 'player');
      li.append(element('span', 'player-rank', String(count(entry.rank))), name,
        element('span', 'player-points', number(entry.points)), element('span', 'player-gained', gainedText(entry)), button);
      list.append(li);
      if (focused === String(entry.player)) button.focus();
    }
  }
  return { paint };
}
