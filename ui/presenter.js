'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  // Okabe–Ito, with the letter colour that reads best on each.
  const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442'];
  const INK = ['#fff', '#000', '#000', '#000', '#000', '#000', '#000'];
  const token = new URLSearchParams(location.search).get('token') || '';

  let ws = null;
  let up = false;
  let everUp = false;
  let tries = 0;
  let timer = 0;
  let deck = null;
  let state = null;
  let shownSlide = -1;
  let barsFor = null;
  let messageTimer = 0;

  const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));
  const plural = (n, one, many) => (n === 1 ? one : many);
  const currentSlide = () => (deck && state ? deck.slides[state.slide] || null : null);

  function send(type, extra) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, ...extra }));
  }

  function say(text) {
    clearTimeout(messageTimer);
    $('message').textContent = text;
    if (text) messageTimer = setTimeout(() => { $('message').textContent = ''; }, 6000);
  }

  function onDeck(m) {
    deck = m;
    shownSlide = -1;
    barsFor = null;
    document.title = `${m.title} · Handsup presenter`;
    const join = m.join || {};
    $('join-url').textContent = join.url || '';
    // An <img> keeps the SVG out of the document, so nothing in it can run or restyle the page.
    if (join.qr_svg) $('qr').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(join.qr_svg);
    $('join').hidden = false;
  }

  function buildBars(question) {
    const list = $('bars');
    list.textContent = '';
    question.options.forEach((text, i) => {
      const li = document.createElement('li');
      li.dataset.option = String(i);
      li.style.setProperty('--c', COLOURS[i % COLOURS.length]);
      li.style.setProperty('--ink', INK[i % INK.length]);
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = letter(i);
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = text;
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.className = 'fill';
      track.append(fill);
      const nums = document.createElement('span');
      nums.className = 'nums';
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = '0';
      const pct = document.createElement('span');
      pct.className = 'pct';
      pct.textContent = '0%';
      nums.append(count, pct);
      li.append(badge, label, track, nums);
      list.append(li);
    });
    // Lay the bars out at zero width first, so the first tally grows them instead of appearing.
    void list.offsetWidth;
    barsFor = question.id;
  }

  function paintResults(question) {
    if (barsFor !== question.id) buildBars(question);
    const tally = state.tally && state.tally.question === question.id ? state.tally : null;
    const respondents = tally ? tally.respondents : 0;
    $('respondents').textContent = String(respondents);
    $('respondents-word').textContent = plural(respondents, 'answer', 'answers');
    const open = state.voting === 'open';
    const status = $('voting-status');
    status.textContent = open ? 'Voting open' : 'Voting closed';
    status.className = open ? 'open' : 'closed';
    for (const li of $('bars').children) {
      const i = Number(li.dataset.option);
      const n = tally && Number.isFinite(tally.counts[i]) ? tally.counts[i] : 0;
      const pct = respondents ? Math.round((n / respondents) * 100) : 0;
      li.querySelector('.count').textContent = String(n);
      li.querySelector('.pct').textContent = `${pct}%`;
      li.querySelector('.fill').style.width = `${Math.min(100, respondents ? (n / respondents) * 100 : 0)}%`;
      li.setAttribute('aria-label', `${letter(i)}: ${question.options[i]}, ${n} ${plural(n, 'answer', 'answers')}, ${pct}%`);
    }
    const visible = state.results_visible !== false;
    $('bars').hidden = !visible;
    $('results-hidden').hidden = visible;
  }

  function paint() {
    const slide = currentSlide();
    const screen = $('screen');
    const controlsLive = up && !!slide;
    $('prev').disabled = !controlsLive || state.slide <= 0;
    $('next').disabled = !controlsLive || state.slide >= deck.slides.length - 1;
    const question = slide ? slide.question : null;
    const votingButton = $('voting-toggle');
    const resultsButton = $('results-toggle');
    votingButton.disabled = !controlsLive || !question;
    resultsButton.disabled = !controlsLive || !question;
    if (!slide) return;

    if (shownSlide !== state.slide) {
      // The only server markup on the page: slide HTML rendered from escaped Markdown.
      $('slide').innerHTML = slide.html;
      shownSlide = state.slide;
    }
    screen.classList.remove('loading');
    screen.classList.toggle('first', state.slide === 0);
    screen.classList.toggle('question', !!question);
    $('slide-number').textContent = `${state.slide + 1} / ${deck.slides.length}`;

    $('results').hidden = !question;
    $('results').classList.toggle('many', !!question && question.options.length > 5);
    $('results').classList.toggle('crowded', !!question && question.options.length > 12);
    if (question) $('bars').style.setProperty('--rows', String(Math.ceil(question.options.length / 2)));
    if (question) {
      paintResults(question);
      votingButton.textContent = state.voting === 'open' ? 'Close voting' : 'Open voting';
      resultsButton.textContent = state.results_visible === false ? 'Show results' : 'Hide results';
    } else {
      barsFor = null;
      $('bars').textContent = '';
    }
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

  function onMessage(event) {
    let m;
    try { m = JSON.parse(event.data); } catch (_) { return; }
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'deck': onDeck(m); break;
      case 'state': state = m; tries = 0; paintStorage(m.storage_error); break;
      case 'participants': $('participants').textContent = String(Number(m.connected) || 0); return;
      case 'error': say(String(m.message || m.code || 'The server refused that.')); return;
      default: return;
    }
    paint();
  }

  function connect() {
    clearTimeout(timer);
    timer = 0;
    if (ws && ws.readyState <= WebSocket.OPEN) return;
    let socket;
    try {
      socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
    } catch (_) {
      retry();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      up = true;
      everUp = true;
      paintConnection('');
      paint();
    };
    socket.onmessage = (event) => { if (ws === socket) onMessage(event); };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      up = false;
      paintConnection(everUp
        ? 'Disconnected from the Handsup server. Reconnecting…'
        : 'Cannot reach the Handsup server. Retrying… (open the presenter address that Handsup printed, with its token)');
      paint();
      retry();
    };
  }

  // Backoff with jitter: 0.5 s doubling to about 10 s.
  function retry() {
    if (timer) return;
    const base = Math.min(10000, 500 * 2 ** tries);
    tries = Math.min(tries + 1, 8);
    timer = setTimeout(connect, base / 2 + (Math.random() * base) / 2);
  }

  function toggleBlank(force) {
    const blank = $('blank');
    blank.hidden = force === undefined ? !blank.hidden : !force;
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  }

  const inField = (el) => !!(el && el.closest && el.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])'));

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || inField(e.target)) return;
    // A keyboard user on a focused button expects Space and Enter to press it.
    const onButton = !!(e.target.closest && e.target.closest('button, a[href]'));
    let command = null;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown':
        command = 'next'; break;
      case ' ': case 'Spacebar':
        if (onButton) return;
        command = 'next'; break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp':
        command = 'previous'; break;
      case 'Home':
        e.preventDefault(); send('goto', { slide: 0 }); return;
      case 'End':
        if (deck) send('goto', { slide: deck.slides.length - 1 });
        e.preventDefault(); return;
      // Clickers send B or "." for a black screen; Escape brings the slide back.
      case 'b': case 'B': case '.':
        toggleBlank(); e.preventDefault(); return;
      case 'Escape':
        toggleBlank(false); return;
      case 'f': case 'F':
        toggleFullscreen(); e.preventDefault(); return;
      default:
        return;
    }
    e.preventDefault();
    toggleBlank(false);
    send(command);
  });

  // Mouse clicks must not leave focus on a button: a later Space from a clicker would press it again.
  for (const button of document.querySelectorAll('#controls button')) {
    button.addEventListener('mousedown', (e) => e.preventDefault());
  }
  $('prev').addEventListener('click', () => send('previous'));
  $('next').addEventListener('click', () => send('next'));
  $('voting-toggle').addEventListener('click', () => {
    send(state && state.voting === 'open' ? 'close_voting' : 'open_voting');
  });
  $('results-toggle').addEventListener('click', () => {
    send(state && state.results_visible === false ? 'show_results' : 'hide_results');
  });
  $('blank').addEventListener('click', () => toggleBlank(false));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !up) { tries = 0; connect(); }
  });

  if (!token) {
    paintConnection('This address has no token. Open the presenter address that Handsup printed.');
  }
  connect();
})();
