// The presenter page: the speaker's view (default) and, with view=projector, the audience's screen.
// Both draw the same 1920×1080 stage; the server holds the state and this page draws it.
import { build as buildView, clear as clearView, paint as paintView } from './kinds/index.js';
import { createQaBoard } from './lib/qa.js';
import { createReactions } from './lib/reactions.js';
import { openSocket } from './lib/socket.js';
import { fitStage, watchStageBoxes } from './lib/stage.js';
import { createPlayersPane, createStandingsBoard, nameOf, scoresOf } from './lib/standings.js';
import { clockOffset, countdownText, durationText, msLeft } from './lib/timer.js';
import { createBlocklist } from './blocklist.js';
import { createModeration } from './moderation.js';
import { createNetworkPanel } from './lib/network.js';
import { createRemotePanel } from './lib/remote.js';
import { lang, num, plural, t, translatePage } from './lib/i18n.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
const projector = params.get('view') === 'projector';
// The desktop app opens and places the projector window itself.
const desktop = params.get('shell') === 'desktop';
const withToken = (path, extra) => `${path}?token=${encodeURIComponent(token)}${extra || ''}`;
// A timer started without `time=` in the deck runs this long.
const DEFAULT_SECONDS = 60;
const ADD_SECONDS = 30;

document.body.classList.add(projector ? 'view-projector' : 'view-presenter');
// The page's own words in the window's language, before anything is drawn.
translatePage();
$('notes').dataset.empty = t('presenter.noNotes');

// The presenter view shows the counts in its header; the projector lets the emoji rise.
const reactions = createReactions({
  overlay: projector ? $('reactions') : null,
  counts: projector ? $('reaction-counts') : $('reaction-totals'),
  animate: () => !matchMedia('(prefers-reduced-motion: reduce)').matches && !isBlack(),
});

let up = false;
let everUp = false;
let deck = null;
let state = null;
let shownSlide = -1;
let shownNext = null;
let messageTimer = 0;
// The last shared `qa` frame: the audience's questions, for slides holding <!-- qa -->.
let qaFrame = null;
// Server clock minus ours, from the `clock` frame: deadlines are on the server's clock.
let offset = 0;
// A past session shown again read-only (the deck frame's `review`: {session, started_at}), or null.
let review = null;
// Said instead of sending what a past session refuses (the server would refuse it too).
const READ_ONLY = t('presenter.readOnly');

const currentSlide = () => (deck && state ? deck.slides[state.slide] || null : null);
const currentQuestion = () => { const slide = currentSlide(); return slide ? slide.question : null; };
const isBlack = () => !!state && state.black === true;
const isOpen = () => !!state && state.voting === 'open';
const reviewing = () => review !== null;
const deadline = () => (state && currentQuestion() && Number.isFinite(state.deadline) ? state.deadline : null);
// A number question with an answer, and every quiz question (its reveal also closes voting).
const canReveal = (q) => !!q && ((q.kind === 'number' && Number.isFinite(q.answer)) || q.kind === 'quiz' || q.kind === 'quiz-text');
// A quiz whose answer the room has seen is over: the server refuses to open it again or hide the answer.
const quizOver = (q) => !!q && (q.kind === 'quiz' || q.kind === 'quiz-text') && !!state && state.revealed === true;

function say(text) {
  clearTimeout(messageTimer);
  $('message').textContent = text;
  if (text) messageTimer = setTimeout(() => { $('message').textContent = ''; }, 6000);
}

// Writes text only when it changed: the countdown repaints four times a second.
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// The only server markup on the page: slide HTML rendered from escaped Markdown, parsed inert
// (nothing in it loads yet) so that its PDF pages ask for the width they show at from the start.
function slideContent(slide, width) {
  const template = document.createElement('template');
  template.innerHTML = slide.html;
  sizePages(template.content, width);
  return template.content;
}

function setSlideHtml(element, slide, width) {
  element.replaceChildren(slideContent(slide, width));
}

// The server draws a PDF page at the width asked for: the stage's on screen, in device pixels.
const pageWidth = (stage) => Math.round(stage.getBoundingClientRect().width * devicePixelRatio);

// Asks the PDF pages under `root` for `width`, unless they already have as much.
function sizePages(root, width) {
  if (!(width > 0)) return;
  for (const img of root.querySelectorAll('img.pdf-page')) {
    if (Number(img.dataset.width) >= width) continue;
    img.dataset.width = String(width);
    img.setAttribute('src', `${img.getAttribute('src').replace(/&width=\d+$/, '')}&width=${width}`);
  }
}

// The next slide's PDF pages, fetched while this one shows, so "next" shows the page at once.
function preloadPages(slide, width) {
  if (!slide) return;
  for (const img of slideContent(slide, width).querySelectorAll('img.pdf-page')) new Image().src = img.getAttribute('src');
}

// A slide that is one PDF page and nothing else shows the page edge to edge (slide.css).
const onePage = (content) => content.childElementCount === 1 && !content.textContent.trim()
  && !!content.querySelector(':scope > p:only-child > img.pdf-page:only-child');

// ---- Stage: drawn at 1920×1080, scaled to its box ----

watchStageBoxes([...document.querySelectorAll('.stage-box')]);

// A window made larger (the projector's, dragged to the projector and made full screen) asks for
// its PDF pages again, sharper; the page on screen stays until the new one is drawn.
let resizing = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    for (const stage of document.querySelectorAll('.stage')) sizePages(stage, pageWidth(stage));
  }, 300);
});

// Each stage can show the audience's questions in place of the slide body (see lib/qa.js).
const qaBoards = new Map([...document.querySelectorAll('.stage')].map((stage) => [stage, createQaBoard(stage)]));
const isQaSlide = (slide) => !!slide && slide.qa === true && !slide.question;

function paintQa() {
  for (const board of qaBoards.values()) board.paint(qaFrame, state && state.qa);
}

// And the quiz's leaderboard or podium, for slides holding <!-- leaderboard --> or <!-- podium -->
// (see lib/standings.js). The next slide's picture shows a podium whole, without its reveal.
const standingsBoards = new Map([...document.querySelectorAll('.stage')]
  .map((stage) => [stage, createStandingsBoard(stage, { instant: stage.id === 'next-stage' })]));

function paintStandings() {
  const standings = state && state.standings && typeof state.standings === 'object' ? state.standings : null;
  for (const board of standingsBoards.values()) board.paint(standings);
  if (players) players.paint(standings);
}

// A results view that changes shape (a histogram's bins arrive) is fitted to the stage again.
for (const stage of document.querySelectorAll('.stage')) {
  stage.addEventListener('viewchange', () => fitStage(stage));
}

// Draws one slide on a stage: content, the empty results view and the join banner's place.
function renderStage(stage, slide, index) {
  const question = slide.question;
  const content = stage.querySelector('.slide');
  setSlideHtml(content, slide, pageWidth(stage));
  stage.classList.toggle('first', index === 0);
  stage.classList.toggle('question', !!question);
  const scores = scoresOf(slide);
  stage.classList.toggle('page', !question && !scores && !isQaSlide(slide) && onePage(content));
  const board = qaBoards.get(stage);
  if (board) board.show(isQaSlide(slide) && !scores);
  const standings = standingsBoards.get(stage);
  if (standings) standings.show(scores);
  const view = stage.querySelector('.view');
  stage.querySelector('.results').hidden = !question;
  if (question) buildView(view, question);
  else clearView(view);
  view.hidden = false;
  fitStage(stage);
}

// A long address may wrap only after the scheme, never inside the number people type.
function setUrl(element, url) {
  element.textContent = '';
  const cut = url.indexOf('://');
  if (cut < 0) { element.textContent = url; return; }
  element.append(url.slice(0, cut + 3), document.createElement('wbr'), url.slice(cut + 3));
}

function onDeck(m) {
  if (!Array.isArray(m.slides)) return;
  deck = m;
  review = m.review && typeof m.review === 'object' && Number.isFinite(Number(m.review.session)) ? m.review : null;
  document.body.classList.toggle('review', reviewing());
  paintReview();
  reactions.setEmoji(m.reactions);
  if (!projector) $('reactions-stat').hidden = !(Array.isArray(m.reactions) && m.reactions.length);
  shownSlide = -1;
  shownNext = null;
  document.title = t(projector ? 'title.projector' : review ? 'title.review' : 'title.presenter', { title: m.title });
  // A past session turns phones away: no one is asked to join it.
  $('network').closest('.stat').hidden = reviewing();
  for (const el of document.querySelectorAll('.join')) el.hidden = reviewing();
  const edit = $('edit-deck');
  // Every deck can be edited: one without a file (the demo) is saved as a new one. A past session
  // runs the deck's text as it was then: editing that would write the old text over the file.
  edit.hidden = reviewing();
  edit.href = withToken('/editor');
  // Saving blocked words puts the deck on screen again, and the posts of a past session stay as they were.
  if (!projector) $('blocklist').hidden = reviewing();
}

// Where phones join: on connect and whenever the address changes (the presenter's pick, or the
// laptop's own network moving), the QR code and address on both screens follow.
function onJoin(m) {
  const url = String(m.url || '');
  for (const el of document.querySelectorAll('.join-url')) setUrl(el, url);
  $('network-url').textContent = url;
  const network = m.network ? String(m.network) : '';
  $('network').textContent = network;
  $('network').hidden = !network;
  if (m.qr_svg) {
    // An <img> keeps the SVG out of the document, so nothing in it can run or restyle the page.
    const data = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(m.qr_svg);
    $('qr').src = data;
    // The preview only needs the picture: a background, not a second image.
    for (const el of document.querySelectorAll('#next-stage .qr')) el.style.backgroundImage = `url("${data}")`;
  }
  if (networkPanel) networkPanel.onJoin(m);
}

// The results for this question, or null (none yet, or a stale frame from another question).
function resultsFor(question) {
  const r = state.results;
  if (!r || typeof r !== 'object' || r.question !== question.id) return null;
  if (r.kind && r.kind !== question.kind) return null;
  return r;
}

function paintResults(question) {
  const results = resultsFor(question);
  const respondents = results && Number.isFinite(results.respondents) ? results.respondents : 0;
  const answers = plural(respondents, 'summary.answers');
  setText($('respondents'), num(respondents));
  setText($('respondents-word'), plural(respondents, 'summary.answersWord'));
  const open = isOpen();
  const status = $('voting-status');
  setText(status, t(open ? 'summary.open' : 'summary.closed'));
  status.className = `voting-status ${open ? 'open' : 'closed'}`;
  const visible = state.results_visible !== false;
  // A quiz draws its own large countdown for the room, from the same deadline as the summary's.
  paintView($('bars'), question, results, {
    revealed: state.revealed === true, projector, deadline: deadline(), offset, voting: state.voting,
  });
  $('bars').hidden = !visible;
  $('results-hidden').hidden = visible;

  setText($('status-answers'), answers);
  const voting = $('status-voting');
  setText(voting, `${t(open ? 'status.open' : 'status.closed')}${visible ? '' : ` · ${t('status.resultsHidden')}`}`);
  voting.className = `stat-value ${open ? 'open' : 'closed'}`;
}

// The countdown on the stage (both views) and in the status bar; ticks on its own.
function paintCountdown() {
  const due = deadline();
  const left = due === null ? null : msLeft(due, offset);
  const text = countdownText(left);
  const box = $('countdown');
  box.hidden = left === null;
  box.classList.toggle('ending', left !== null && left < 10000);
  $('countdown-label').hidden = left === 0;
  setText($('countdown-value'), text);
  if (!projector) {
    setText($('status-timer'), left === null ? t('status.timerOff') : text);
    $('status-timer').classList.toggle('ending', left !== null && left < 10000);
  }
}

function paintNext() {
  const index = state.slide + 1;
  const slide = deck.slides[index] || null;
  if (shownNext === slide) return;
  shownNext = slide;
  $('next-slide').classList.toggle('end', !slide);
  const stage = $('next-stage');
  if (slide) {
    renderStage(stage, slide, index);
    // A picture of what comes next: empty results, as the room will first see them.
    if (slide.question) paintView(stage.querySelector('.view'), slide.question, null, { revealed: false, projector: true });
  } else {
    stage.querySelector('.slide').textContent = '';
    clearView(stage.querySelector('.view'));
    const board = qaBoards.get(stage);
    if (board) board.show(false);
    const standings = standingsBoards.get(stage);
    if (standings) standings.show(null);
  }
}

function paintNotes(slide) {
  const notes = $('notes');
  notes.textContent = slide.notes || '';
  notes.scrollTop = 0;
}

function paintControls(slide, question) {
  const live = up && !!slide;
  const open = !!question && isOpen();
  const timing = deadline() !== null;
  // A past session: nothing that would take answers (closing and stopping still work).
  const past = reviewing();
  $('prev').disabled = !live || state.slide <= 0;
  $('next').disabled = !live || state.slide >= deck.slides.length - 1;
  $('voting-toggle').disabled = !live || !question || quizOver(question) || (past && !open);
  $('results-toggle').disabled = !live || !question;
  $('black-toggle').disabled = !live;
  $('black-toggle').setAttribute('aria-pressed', String(isBlack()));
  $('voting-toggle').textContent = t(open ? 'controls.closeVoting' : 'controls.openVoting');
  $('results-toggle').textContent = t(question && state.results_visible === false ? 'controls.showResults' : 'controls.hideResults');
  // A timer closes voting when it runs out: it only means something while voting is open.
  $('timer-toggle').disabled = !live || !question || !(open || timing) || quizOver(question) || (past && !timing);
  $('timer-toggle').textContent = timing ? t('controls.stopTimer') : t('controls.startTimer', { time: durationText(timerSeconds(question)) });
  $('timer-add').disabled = !live || !question || !open || past;
  const reveal = $('reveal-toggle');
  reveal.hidden = !canReveal(question);
  reveal.disabled = !live || quizOver(question);
  reveal.textContent = t(state && state.revealed ? 'controls.hideAnswer' : 'controls.revealAnswer');
}

function paint() {
  const slide = currentSlide();
  const question = slide ? slide.question : null;
  const black = isBlack();
  document.body.classList.toggle('black', black);
  $('blackout').hidden = !(projector && black);
  if (!slide) {
    if (deck && state) paintControls(null, null);
    return;
  }
  paintControls(slide, question);

  if (shownSlide !== state.slide) {
    renderStage($('stage'), slide, state.slide);
    // Lay the bars out at zero first, so the first results grow them instead of appearing.
    void $('bars').offsetWidth;
    shownSlide = state.slide;
    if (!projector) paintNotes(slide);
    preloadPages(deck.slides[state.slide + 1], pageWidth($('stage')));
  }
  if (!projector) paintNext();
  $('slide-number').textContent = `${state.slide + 1} / ${deck.slides.length}`;

  if (question) {
    paintResults(question);
  } else {
    $('status-answers').textContent = '–';
    $('status-voting').textContent = t('status.noQuestion');
    $('status-voting').className = 'stat-value';
  }
  paintQa();
  paintStandings();
  paintCountdown();
}

function paintParticipants(n) {
  $('participants').textContent = num(n);
  for (const el of document.querySelectorAll('.participant-count')) el.textContent = num(n);
  for (const el of document.querySelectorAll('.participant-word')) el.textContent = plural(n, 'join.connected');
}

// Many participants on one address: a room behind one router, or one device posing as many.
function paintCrowd(crowded) {
  const line = $('crowd');
  const many = crowded && Number(crowded.participants);
  line.hidden = !many;
  if (!many) return;
  line.textContent = plural(many, 'presenter.crowd', { address: String(crowded.address) });
}

function paintConnection(text) {
  const banner = $('connection');
  banner.textContent = text;
  banner.hidden = !text;
}

// A full disk or read-only folder: the speaker must know answers are not being kept.
function paintStorage(text) {
  const alert = $('storage');
  alert.textContent = text || '';
  alert.hidden = !text;
}

// The app itself had trouble (its server died and was brought back): said once, until dismissed.
let dismissedNotice = null;
function paintNotice(text, at) {
  const key = text ? `${at}:${text}` : null;
  const when = at ? new Date(Number(at) - offset).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }) : '';
  $('notice-text').textContent = text ? `${when} · ${text}` : '';
  $('notice').hidden = !text || key === dismissedNotice;
  $('notice-dismiss').onclick = () => { dismissedNotice = key; $('notice').hidden = true; };
}

// A past session on screen: said at the top of the speaker's view (never on the projector), with
// the way back to the live session and to the list of sessions.
function paintReview() {
  if (projector) return;
  $('review').hidden = !review;
  if (!review) return;
  const started = Number(review.started_at);
  const date = Number.isFinite(started)
    ? new Date(started).toLocaleString(lang, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })
    : t('review.session', { n: review.session });
  $('review-text').textContent = t('review.text', { date });
  // A session file opened on its own has no live session to go back to.
  $('review-back').hidden = review.live === false;
}

// POST /api/review {session: null}: the server puts the deck's live session back on screen and
// restarts; this page's socket comes back with a new deck frame, which hides the banner.
async function backToLive() {
  const button = $('review-back');
  if (button.disabled) return;
  button.disabled = true;
  say(t('review.going'));
  try {
    const response = await fetch(withToken('/api/review'), {
      method: 'POST',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: null }),
    });
    const text = await response.text();
    if (response.ok) {
      say('');
      socket.wake();
    } else {
      let error = '';
      try { error = String(JSON.parse(text).error || ''); } catch (_) { error = text.trim(); }
      say(t('review.still', { error: error || t('common.status', { status: response.status }) }));
    }
  } catch (err) {
    say(t('common.unreachable', { error: err.message }));
  } finally {
    button.disabled = false;
  }
}

function onMessage(m) {
  switch (m.type) {
    case 'deck': onDeck(m); if (moderation) moderation.onDeck(m); break;
    case 'state': state = m; paintStorage(m.storage_error); if (moderation) moderation.onState(m); break;
    case 'qa': qaFrame = m; paintQa(); return;
    // Posts waiting for approval reach only the presenter view's moderation socket.
    case 'board': if (moderation) moderation.onBoard(m.posts); return;
    case 'board_changes': if (moderation) moderation.onChanges(m.posts); return;
    // Repaints all: a quiz's countdown is drawn by its view, from this offset.
    case 'clock': offset = clockOffset(Number(m.now)); break;
    case 'participants':
      paintParticipants(Number(m.connected) || 0);
      paintCrowd(m.crowded);
      if (networkPanel) networkPanel.onParticipants(Number(m.connected) || 0);
      return;
    case 'join': onJoin(m); return;
    case 'room': if (networkPanel) networkPanel.onRoom(m); return;
    case 'remote': if (remotePanel) remotePanel.onRemote(m); return;
    case 'reactions': reactions.onTotals(m.totals); return;
    case 'notice': paintNotice(m.text == null ? '' : String(m.text), m.at); return;
    case 'error': say(String(m.message || m.code || t('presenter.refused'))); return;
    default: return;
  }
  paint();
}

// Only the presenter view asks for the moderation board (every post, pending and hidden ones too);
// the projector's socket never receives it, so nothing unapproved can reach the room's screen.
const socket = openSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}${projector ? '' : '&moderation=1'}`, {
  onOpen() {
    up = true;
    everUp = true;
    paintConnection('');
    paint();
  },
  onMessage,
  onClose() {
    up = false;
    paintConnection(t(everUp ? 'connection.lost' : 'connection.never'));
    paint();
  },
});
const send = (type, extra) => socket.send(type, extra);
// Declared before the socket delivers anything: frames arrive only after this module has run.
const moderation = projector ? null : createModeration({ send, say });
// The troubleshooting help comes sooner when a test asks (`?help_after=ms`).
const remotePanel = projector ? null : createRemotePanel({ send });
// The app's menu (Network and Phones…) opens the picker with `#network`.
function openNetworkPanel() {
  if (projector || location.hash !== '#network') return;
  $('network-panel').open = true;
  $('network-choice').focus();
  $('network-panel').scrollIntoView({ block: 'nearest' });
}
addEventListener('hashchange', openNetworkPanel);
openNetworkPanel();
const networkPanel = projector ? null : createNetworkPanel({ send, helpAfterMs: Number(params.get('help_after')) || undefined });
// The speaker's list of quiz players, where a nickname can be taken off the screen.
const players = projector ? null : createPlayersPane({
  pane: $('players-pane'),
  list: $('players'),
  summary: $('players-count'),
  confirm: confirmRename,
  rename: (player) => (reviewing() ? say(READ_ONLY) : send('rename', { player, nickname: null })),
});
if (!projector) createBlocklist({ token, say });

// ---- Commands ----

// The server keeps the black screen, so the projector and this window agree.
function setBlack(on) {
  if (on !== isBlack()) send('set_black', { black: on });
}

function timerSeconds(question) {
  return question && Number.isFinite(question.time) && question.time > 0 ? question.time : DEFAULT_SECONDS;
}

function toggleTimer() {
  const question = currentQuestion();
  if (!question || !state) return;
  if (deadline() !== null) send('stop_timer');
  else if (reviewing()) say(READ_ONLY);
  else if (isOpen()) send('start_timer', { seconds: timerSeconds(question) });
  else say(t('presenter.openFirst'));
}

function addTime() {
  if (!currentQuestion() || !state) return;
  if (reviewing()) say(READ_ONLY);
  else if (isOpen()) send('add_time', { seconds: ADD_SECONDS });
  else say(t('presenter.openFirst'));
}

function toggleReveal() {
  if (canReveal(currentQuestion()) && state && !quizOver(currentQuestion())) send('reveal_answer', { revealed: state.revealed !== true });
}

// Resolves true when the speaker confirms; the safe answer has the focus.
function confirmRename(entry) {
  const dialog = $('rename-dialog');
  $('rename-text').textContent = t('rename.text', { name: nameOf(entry), player: t('player.name', { n: entry.player }) });
  return new Promise((resolve) => {
    dialog.returnValue = 'cancel';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('rename-cancel').focus();
  });
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
}

const inField = (el) => !!(el && el.closest && el.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])'));

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || inField(e.target)) return;
  // A question on screen (the rename dialog) takes the keys: Escape closes it, nothing else happens.
  if (document.querySelector('dialog[open]')) return;
  // A keyboard user on a focused button expects Space and Enter to press it.
  const onButton = !!(e.target.closest && e.target.closest('button, a[href]'));
  switch (e.key) {
    case 'ArrowRight': case 'ArrowDown': case 'PageDown':
      send('next'); break;
    case ' ': case 'Spacebar':
      if (onButton) return;
      send('next'); break;
    case 'ArrowLeft': case 'ArrowUp': case 'PageUp':
      send('previous'); break;
    case 'Home':
      send('goto', { slide: 0 }); break;
    case 'End':
      if (deck) send('goto', { slide: deck.slides.length - 1 });
      break;
    // Clickers send B or "." for a black screen; Escape brings the slide back.
    case 'b': case 'B': case '.':
      setBlack(!isBlack()); break;
    case 'Escape':
      setBlack(false); return;
    case 'f': case 'F':
      toggleFullscreen(); break;
    // Keys no clicker sends, so a slide change can never start, stretch or spoil a question.
    case 't': case 'T':
      toggleTimer(); break;
    case '+':
      addTime(); break;
    case 'r': case 'R':
      toggleReveal(); break;
    default:
      return;
  }
  e.preventDefault();
});

// Mouse clicks must not leave focus on a button: a later Space from a clicker would press it again.
for (const control of document.querySelectorAll('button, a.button')) {
  control.addEventListener('mousedown', (e) => e.preventDefault());
}
$('prev').addEventListener('click', () => send('previous'));
$('next').addEventListener('click', () => send('next'));
$('voting-toggle').addEventListener('click', () => {
  if (!isOpen() && reviewing()) say(READ_ONLY);
  else send(isOpen() ? 'close_voting' : 'open_voting');
});
$('results-toggle').addEventListener('click', () => {
  send(state && state.results_visible === false ? 'show_results' : 'hide_results');
});
$('black-toggle').addEventListener('click', () => setBlack(!isBlack()));
$('timer-toggle').addEventListener('click', toggleTimer);
$('timer-add').addEventListener('click', addTime);
$('reveal-toggle').addEventListener('click', toggleReveal);
$('review-back').addEventListener('click', backToLive);
// From the desktop app's presenter window, the Sessions page leads back here (see ui/sessions.js).
$('review-sessions').href = withToken('/sessions', `&from=presenter${desktop ? '&shell=desktop' : ''}`);
$('projector-open').hidden = desktop;
$('projector-open').addEventListener('click', () => {
  window.open(withToken('/', '&view=projector'), 'handsup-projector');
});
// In the desktop app a second window would not open: the editor (and Sessions) replace this page there.
if (!desktop) {
  $('edit-deck').target = 'handsup-editor';
  $('review-sessions').target = 'handsup-sessions';
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') socket.wake();
});

// The countdown runs between server frames; a quarter second keeps "0:01" from lagging.
setInterval(() => { if (state) paintCountdown(); }, 250);

// ---- Projector: nothing on screen but the slide ----

if (projector) {
  $('blackout').addEventListener('click', () => setBlack(false));
  document.addEventListener('dblclick', toggleFullscreen);
  // The pointer disappears while it rests, and comes back when moved.
  let idle = 0;
  const wake = () => {
    document.body.classList.remove('idle');
    clearTimeout(idle);
    idle = setTimeout(() => document.body.classList.add('idle'), 2000);
  };
  document.addEventListener('mousemove', wake);
  wake();
}

// ---- Presenter: elapsed time and clock ----

function sessionStorageGet(key) {
  try { return sessionStorage.getItem(key); } catch (_) { return null; }
}

function sessionStorageSet(key, value) {
  try { sessionStorage.setItem(key, value); } catch (_) { /* private mode: the timer lives with the page */ }
}

if (!projector) {
  const KEY = 'handsup-elapsed-since';
  // Kept for the tab, so reloading the page does not lose the talk's time.
  let since = Number(sessionStorageGet(KEY)) || Date.now();
  sessionStorageSet(KEY, String(since));
  const two = (n) => String(n).padStart(2, '0');
  const tick = () => {
    const s = Math.max(0, Math.floor((Date.now() - since) / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    $('elapsed').textContent = h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
    const now = new Date();
    $('clock').textContent = `${two(now.getHours())}:${two(now.getMinutes())}`;
  };
  $('timer-reset').addEventListener('click', () => {
    since = Date.now();
    sessionStorageSet(KEY, String(since));
    tick();
  });
  tick();
  setInterval(tick, 1000);
}

if (!token) {
  paintConnection(t('connection.noToken'));
}
