'use strict';

// One page, two views: the speaker's presenter view (default) and, with
// view=projector, the audience's screen. Both draw the same 1920×1080 stage.
(() => {
  const $ = (id) => document.getElementById(id);
  const STAGE_W = 1920;
  const STAGE_H = 1080;
  const params = new URLSearchParams(location.search);
  const token = params.get('token') || '';
  const projector = params.get('view') === 'projector';
  // The desktop app opens and places the projector window itself.
  const desktop = params.get('shell') === 'desktop';
  const withToken = (path, extra) => `${path}?token=${encodeURIComponent(token)}${extra || ''}`;

  document.body.classList.add(projector ? 'view-projector' : 'view-presenter');

  let ws = null;
  let up = false;
  let everUp = false;
  let tries = 0;
  let timer = 0;
  let deck = null;
  let state = null;
  let shownSlide = -1;
  let shownNext = null;
  let messageTimer = 0;

  const { letter } = HandsupBars;
  const plural = (n, one, many) => (n === 1 ? one : many);
  const currentSlide = () => (deck && state ? deck.slides[state.slide] || null : null);
  const isBlack = () => !!state && state.black === true;

  function send(type, extra) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, ...extra }));
  }

  function say(text) {
    clearTimeout(messageTimer);
    $('message').textContent = text;
    if (text) messageTimer = setTimeout(() => { $('message').textContent = ''; }, 6000);
  }

  // The only server markup on the page: slide HTML rendered from escaped Markdown.
  function setSlideHtml(element, slide) {
    element.innerHTML = slide.html;
  }

  // ---- Stage: drawn at 1920×1080, scaled to its box ----

  function placeStage(box) {
    const frame = box.querySelector('.stage-frame');
    const stage = frame.querySelector('.stage');
    const scale = Math.min(box.clientWidth / STAGE_W, box.clientHeight / STAGE_H);
    if (!(scale > 0)) return;
    frame.style.width = `${Math.floor(STAGE_W * scale)}px`;
    frame.style.height = `${Math.floor(STAGE_H * scale)}px`;
    stage.style.setProperty('--stage-scale', String(scale));
  }

  const boxes = document.querySelectorAll('.stage-box');
  if (window.ResizeObserver) {
    const observer = new ResizeObserver((entries) => { for (const entry of entries) placeStage(entry.target); });
    boxes.forEach((box) => observer.observe(box));
  } else {
    window.addEventListener('resize', () => boxes.forEach(placeStage));
    boxes.forEach(placeStage);
  }

  const overflows = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;

  // A slide with more than fits gets smaller type instead of text off screen. The
  // stage has a fixed size, so this is measured once per slide and holds at any scale.
  function fitStage(stage) {
    const content = stage.querySelector('.slide');
    const bars = stage.querySelector('.bars');
    stage.style.setProperty('--fit', '1');
    stage.style.setProperty('--bars-fit', '1');
    if (!stage.offsetParent) return;
    // Steps a scale variable down from `from` towards `to` while `el` overflows; returns where it stopped.
    const shrink = (name, el, from, to) => {
      let f = from;
      while (f - 0.05 >= to - 1e-6 && overflows(el)) {
        f -= 0.05;
        stage.style.setProperty(name, f.toFixed(2));
      }
      return f;
    };
    if (stage.classList.contains('question')) {
      // Rows first, down to 28 px; then the title; smaller rows only as a last resort.
      const size = parseFloat(getComputedStyle(bars.parentElement).getPropertyValue('--bars-size')) || 50;
      const rows = shrink('--bars-fit', bars, 1, Math.min(1, 28 / size));
      shrink('--fit', bars, 1, 0.65);
      shrink('--bars-fit', bars, rows, 0.65);
    } else {
      shrink('--fit', content, 1, 0.65);
    }
  }

  const buildBars = (list, question) => HandsupBars.build(list, question.options);

  // Draws one slide on a stage: content, empty result rows and the join banner's place.
  function renderStage(stage, slide, index) {
    const question = slide.question;
    setSlideHtml(stage.querySelector('.slide'), slide);
    stage.classList.toggle('first', index === 0);
    stage.classList.toggle('question', !!question);
    const results = stage.querySelector('.results');
    const bars = stage.querySelector('.bars');
    results.hidden = !question;
    results.classList.toggle('many', !!question && question.options.length > 5);
    results.classList.toggle('crowded', !!question && question.options.length > 12);
    if (question) buildBars(bars, question);
    else bars.textContent = '';
    // Measured with the rows showing, so showing hidden results later cannot overflow.
    bars.hidden = false;
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
    deck = m;
    shownSlide = -1;
    shownNext = null;
    document.title = `${m.title} · Handsup ${projector ? 'projector' : 'presenter'}`;
    const join = m.join || {};
    const url = String(join.url || '');
    for (const el of document.querySelectorAll('.join-url')) setUrl(el, url);
    $('network-url').textContent = url;
    const network = join.network ? String(join.network) : '';
    $('network').textContent = network;
    $('network').hidden = !network;
    if (join.qr_svg) {
      // An <img> keeps the SVG out of the document, so nothing in it can run or restyle the page.
      const data = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(join.qr_svg);
      $('qr').src = data;
      // The preview only needs the picture: a background, not a second image.
      for (const el of document.querySelectorAll('#next-stage .qr')) el.style.backgroundImage = `url("${data}")`;
    }
    for (const el of document.querySelectorAll('.join')) el.hidden = false;
    const edit = $('edit-deck');
    // Every deck can be edited: one without a file (the demo) is saved as a new one.
    edit.hidden = false;
    edit.href = withToken('/editor');
  }

  function paintResults(question) {
    const tally = state.tally && state.tally.question === question.id ? state.tally : null;
    const respondents = tally ? tally.respondents : 0;
    $('respondents').textContent = String(respondents);
    $('respondents-word').textContent = plural(respondents, 'answer', 'answers');
    const open = state.voting === 'open';
    const status = $('voting-status');
    status.textContent = open ? 'Voting open' : 'Voting closed';
    status.className = `voting-status ${open ? 'open' : 'closed'}`;
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

    $('status-answers').textContent = `${respondents} ${plural(respondents, 'answer', 'answers')}`;
    const voting = $('status-voting');
    voting.textContent = `${open ? 'Open' : 'Closed'}${visible ? '' : ' · results hidden'}`;
    voting.className = `stat-value ${open ? 'open' : 'closed'}`;
  }

  function paintNext() {
    const index = state.slide + 1;
    const slide = deck.slides[index] || null;
    if (shownNext === slide) return;
    shownNext = slide;
    const pane = $('next-slide');
    pane.classList.toggle('end', !slide);
    if (slide) {
      renderStage($('next-stage'), slide, index);
    } else {
      $('next-stage').querySelector('.slide').textContent = '';
      $('next-stage').querySelector('.bars').textContent = '';
    }
  }

  function paintNotes(slide) {
    const notes = $('notes');
    notes.textContent = slide.notes || '';
    notes.scrollTop = 0;
  }

  function paint() {
    const slide = currentSlide();
    const live = up && !!slide;
    const question = slide ? slide.question : null;
    $('prev').disabled = !live || state.slide <= 0;
    $('next').disabled = !live || state.slide >= deck.slides.length - 1;
    $('voting-toggle').disabled = !live || !question;
    $('results-toggle').disabled = !live || !question;
    $('black-toggle').disabled = !live;
    const black = isBlack();
    document.body.classList.toggle('black', black);
    $('blackout').hidden = !(projector && black);
    $('black-toggle').setAttribute('aria-pressed', String(black));
    if (!slide) return;

    if (shownSlide !== state.slide) {
      const bars = $('bars');
      renderStage($('stage'), slide, state.slide);
      // Lay the bars out at zero width first, so the first tally grows them instead of appearing.
      void bars.offsetWidth;
      shownSlide = state.slide;
      if (!projector) paintNotes(slide);
    }
    if (!projector) paintNext();
    $('slide-number').textContent = `${state.slide + 1} / ${deck.slides.length}`;

    if (question) {
      paintResults(question);
      $('voting-toggle').textContent = state.voting === 'open' ? 'Close voting' : 'Open voting';
      $('results-toggle').textContent = state.results_visible === false ? 'Show results' : 'Hide results';
    } else {
      $('voting-toggle').textContent = 'Open voting';
      $('results-toggle').textContent = 'Hide results';
      $('status-answers').textContent = '–';
      $('status-voting').textContent = 'No question';
      $('status-voting').className = 'stat-value';
    }
  }

  function paintParticipants(n) {
    $('participants').textContent = String(n);
    for (const el of document.querySelectorAll('.participant-count')) el.textContent = String(n);
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
      case 'participants': paintParticipants(Number(m.connected) || 0); return;
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

  // ---- Commands ----

  // The server keeps the black screen, so the projector and this window agree.
  function setBlack(on) {
    if (on !== isBlack()) send('set_black', { black: on });
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
    send(state && state.voting === 'open' ? 'close_voting' : 'open_voting');
  });
  $('results-toggle').addEventListener('click', () => {
    send(state && state.results_visible === false ? 'show_results' : 'hide_results');
  });
  $('black-toggle').addEventListener('click', () => setBlack(!isBlack()));
  $('projector-open').hidden = desktop;
  $('projector-open').addEventListener('click', () => {
    window.open(withToken('/', '&view=projector'), 'handsup-projector');
  });
  // In the desktop app a second window would not open: the editor replaces this page there.
  if (!desktop) $('edit-deck').target = 'handsup-editor';
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !up) { tries = 0; connect(); }
  });

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

  function sessionStorageGet(key) {
    try { return sessionStorage.getItem(key); } catch (_) { return null; }
  }

  function sessionStorageSet(key, value) {
    try { sessionStorage.setItem(key, value); } catch (_) { /* private mode: the timer lives with the page */ }
  }

  if (!token) {
    paintConnection('This address has no token. Open the presenter address that Handsup printed.');
  }
  connect();
})();
