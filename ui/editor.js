'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get('token') || '';
  const withToken = (path) => `${path}?token=${encodeURIComponent(token)}`;

  const MAX_OPTIONS = 26;
  const MAX_OPTION_CHARS = 200;
  const PREVIEW_DELAY = 250;
  // Matches the projector's design size; slide.css lays the stage out in these pixels.
  const STAGE_WIDTH = 1920;
  const STAGE_HEIGHT = 1080;
  const KIND_NAMES = { content: 'Slide', single: 'One answer', multiple: 'Several answers' };

  let deck = null;
  // The file of the deck Handsup is showing, as the server last named it.
  let shownPath = null;
  let baseline = '';
  let selected = 0;
  let saving = false;
  let leaving = false;
  let nextKey = 1;
  let previewTimer = 0;
  let previewSeq = 0;
  let previewShows = 0;
  let dragFrom = -1;

  const letter = (i) => String.fromCharCode(65 + i);
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const isQuestion = (slide) => slide.kind === 'single' || slide.kind === 'multiple';
  const current = () => (deck ? deck.slides[selected] || null : null);
  const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // ---- Model ----------------------------------------------------------------

  function fromServer(s) {
    const kind = s.kind === 'single' || s.kind === 'multiple' ? s.kind : 'content';
    const options = Array.isArray(s.options) ? s.options.map(String) : [];
    return {
      key: nextKey++,
      original: Number.isInteger(s.original) ? s.original : null,
      kind,
      title: String(s.title ?? ''),
      text: String(s.text ?? ''),
      notes: String(s.notes ?? ''),
      options,
      max: Number.isInteger(s.max) ? s.max : null,
      id: typeof s.id === 'string' ? s.id : null,
      answers: Number(s.answers) > 0 ? Number(s.answers) : 0,
      // What the stored answers were given against: changing it discards them.
      from: { kind, options: options.slice(), max: Number.isInteger(s.max) ? s.max : null },
      // Emptiness is only reported once the user tried to save, not while a new slide is blank.
      checked: false,
      serverError: '',
    };
  }

  function blank(kind, title) {
    return fromServer({
      original: null, kind, title: title || '', text: '', notes: '',
      options: kind === 'content' ? [] : ['', ''], max: null, id: null, answers: 0,
    });
  }

  function wire(slide) {
    const question = isQuestion(slide);
    return {
      original: slide.original,
      kind: slide.kind,
      title: slide.title.trim(),
      text: slide.text,
      notes: slide.notes,
      options: question ? slide.options.map((o) => o.trim()) : [],
      max: slide.kind === 'multiple' ? slide.max : null,
      id: slide.id,
      answers: slide.answers,
    };
  }

  const snapshot = () => (deck ? JSON.stringify({ title: deck.title, slides: deck.slides.map(wire) }) : '');
  const isDirty = () => !!deck && snapshot() !== baseline;

  // Answers already given stop making sense once the choices they point at change.
  function discards(slide) {
    if (!slide.answers || !slide.id) return 0;
    const kindChanged = slide.kind !== slide.from.kind;
    const optionsChanged = !sameList(slide.options.map((o) => o.trim()), slide.from.options);
    const max = slide.kind === 'multiple' ? slide.max : null;
    const maxChanged = max !== (slide.from.kind === 'multiple' ? slide.from.max : null);
    return kindChanged || optionsChanged || maxChanged ? slide.answers : 0;
  }

  // ---- Validation ------------------------------------------------------------

  // The same rules the server applies before writing, said next to the field concerned.
  function problems(slide) {
    const p = { title: '', text: '', notes: '', options: [], list: '', max: '', first: '' };
    const comment = (value) => value.includes('<!--') || value.includes('-->');
    if (comment(slide.title)) p.title = 'The title cannot contain <!-- or -->. Put notes in Speaker notes.';
    if (comment(slide.text)) p.text = 'The text cannot contain <!-- or -->. Put notes in Speaker notes.';
    else if (slide.text.split(/\r?\n/).some((line) => line.trim() === '---')) {
      p.text = 'A line with only --- would start a new slide. Use *** for a dividing line.';
    }
    if (slide.notes.includes('-->')) p.notes = 'Speaker notes cannot contain -->.';
    if (!isQuestion(slide)) {
      p.first = p.title || p.text || p.notes;
      return p;
    }
    if (!p.title && !slide.title.trim() && slide.checked) p.title = 'Type the question: it is the heading everyone sees.';
    const seen = new Map();
    slide.options.forEach((raw, i) => {
      const text = raw.trim();
      let message = '';
      if (!text) {
        if (slide.checked) message = `Option ${letter(i)} is empty: type it or remove it.`;
      } else if (/[\r\n]/.test(text)) {
        message = `Option ${letter(i)} must fit on one line.`;
      } else if (comment(text)) {
        message = `Option ${letter(i)} cannot contain <!-- or -->.`;
      } else if ([...text].length > MAX_OPTION_CHARS) {
        message = `Option ${letter(i)} is ${[...text].length} characters long; at most ${MAX_OPTION_CHARS} fit.`;
      } else if (seen.has(text)) {
        message = `Option ${letter(i)} is the same as option ${letter(seen.get(text))}: options must all be different.`;
      }
      if (text && !seen.has(text)) seen.set(text, i);
      p.options[i] = message;
    });
    const n = slide.options.length;
    if (n < 2) p.list = `A question needs at least 2 options; this one has ${n}.`;
    else if (n > MAX_OPTIONS) p.list = `A question can have at most ${MAX_OPTIONS} options (A to Z); this one has ${n}.`;
    if (slide.kind === 'multiple' && slide.max !== null) {
      if (!Number.isInteger(slide.max) || slide.max < 1 || slide.max > Math.max(n, 1)) {
        p.max = `“At most” must be a whole number from 1 to ${Math.max(n, 1)} (the number of options), or empty.`;
      }
    }
    p.first = p.title || p.list || p.options.find(Boolean) || p.max || p.text || p.notes || '';
    return p;
  }

  // ---- Status and dialogs ------------------------------------------------------

  function say(text, tone) {
    const status = $('status');
    status.textContent = text;
    status.className = tone || '';
  }

  function ask({ title, text, items, ok }) {
    const dialog = $('ask');
    $('ask-title').textContent = title;
    $('ask-text').textContent = text || '';
    $('ask-text').hidden = !text;
    const list = $('ask-list');
    list.textContent = '';
    for (const item of items || []) {
      const li = document.createElement('li');
      li.textContent = item;
      list.append(li);
    }
    list.hidden = !(items && items.length);
    $('ask-ok').textContent = ok;
    return new Promise((resolve) => {
      dialog.returnValue = 'cancel';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      // The safe answer takes focus, so an Enter pressed by habit throws nothing away.
      $('ask-cancel').focus();
    });
  }

  function paintDirty() {
    $('dirty').hidden = !isDirty();
  }

  // ---- Slide list -------------------------------------------------------------

  function listItem(slide, i) {
    const li = document.createElement('li');
    li.dataset.index = String(i);
    li.draggable = true;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'pick';
    button.setAttribute('aria-describedby', 'slides-keys');
    // One tab stop for the whole list; arrow keys move within it.
    button.tabIndex = i === selected ? 0 : -1;
    if (i === selected) button.setAttribute('aria-current', 'true');
    const num = document.createElement('span');
    num.className = 'num';
    num.textContent = String(i + 1);
    const badge = document.createElement('span');
    badge.className = `kind-badge ${slide.kind}`;
    badge.textContent = KIND_NAMES[slide.kind];
    const title = document.createElement('span');
    title.className = 'title';
    const text = slide.title.trim();
    title.textContent = text || (isQuestion(slide) ? '(no question yet)' : '(no title)');
    title.classList.toggle('empty', !text);
    button.append(num, badge, title);
    if (slide.answers) {
      const answers = document.createElement('span');
      answers.className = 'answers';
      answers.textContent = `${plural(slide.answers, 'answer', 'answers')} in this session`;
      button.append(answers);
    }
    if (problems(slide).first || slide.serverError) {
      const bad = document.createElement('span');
      bad.className = 'problem';
      bad.textContent = 'Needs attention';
      button.append(bad);
    }
    button.addEventListener('click', () => select(i));
    li.append(button);
    return li;
  }

  function renderList() {
    const list = $('slides');
    const focused = list.contains(document.activeElement);
    list.textContent = '';
    deck.slides.forEach((slide, i) => list.append(listItem(slide, i)));
    if (focused) focusPick(selected);
    paintTools();
  }

  function refreshListItem(i) {
    const old = $('slides').children[i];
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    const fresh = listItem(deck.slides[i], i);
    old.replaceWith(fresh);
    if (hadFocus) fresh.querySelector('button').focus();
  }

  function focusPick(i) {
    const li = $('slides').children[i];
    if (li) li.querySelector('button').focus();
  }

  function paintTools() {
    const n = deck ? deck.slides.length : 0;
    $('move-up').disabled = !deck || selected <= 0;
    $('move-down').disabled = !deck || selected >= n - 1;
    $('duplicate').disabled = !deck;
    // A deck needs at least one slide to be a deck at all.
    $('delete').disabled = !deck || n <= 1;
    const name = deck ? `slide ${selected + 1}` : 'slide';
    $('slide-tools').setAttribute('aria-label', `Selected: ${name}`);
  }

  function select(i, focusList) {
    if (!deck) return;
    selected = Math.max(0, Math.min(i, deck.slides.length - 1));
    for (const [index, li] of [...$('slides').children].entries()) {
      const button = li.querySelector('button');
      button.tabIndex = index === selected ? 0 : -1;
      if (index === selected) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    const li = $('slides').children[selected];
    if (li) li.scrollIntoView({ block: 'nearest' });
    if (focusList) focusPick(selected);
    paintTools();
    renderForm();
    previewNow();
  }

  function moveSlide(from, to) {
    if (from === to || to < 0 || to >= deck.slides.length) return;
    const [slide] = deck.slides.splice(from, 1);
    deck.slides.splice(to, 0, slide);
    selected = to;
    renderList();
    renderForm();
    paintQuestionPreview();
    changed(false);
  }

  function insertSlide(slide) {
    const at = deck.slides.length ? selected + 1 : 0;
    deck.slides.splice(at, 0, slide);
    selected = at;
    renderList();
    renderForm();
    previewNow();
    changed(false);
    $('title').focus();
  }

  async function deleteSlide() {
    const slide = current();
    if (!slide || deck.slides.length <= 1) return;
    const name = slide.title.trim() ? `“${slide.title.trim()}”` : 'This slide';
    const answers = slide.answers
      ? ` It holds ${plural(slide.answers, 'answer', 'answers')} from this session.`
      : '';
    const ok = await ask({
      title: `Delete slide ${selected + 1}?`,
      text: `${name} will be removed from the deck when you save.${answers}`,
      ok: 'Delete slide',
    });
    if (!ok) {
      $('delete').focus();
      return;
    }
    deck.slides.splice(selected, 1);
    selected = Math.min(selected, deck.slides.length - 1);
    renderList();
    renderForm();
    previewNow();
    changed(false);
    focusPick(selected);
  }

  function duplicateSlide() {
    const slide = current();
    if (!slide) return;
    const copy = fromServer({ ...wire(slide), original: null, id: null, answers: 0 });
    copy.options = slide.options.slice();
    insertSlide(copy);
  }

  // ---- Form ---------------------------------------------------------------------

  function renderForm() {
    const slide = current();
    $('form').hidden = !slide;
    if (!slide) return;
    const question = isQuestion(slide);
    $('form-heading').textContent = `Slide ${selected + 1} of ${deck.slides.length}: ${question ? 'question' : 'content'}`;
    $('kind-field').hidden = !question;
    $('options-field').hidden = !question;
    $('title-label').textContent = question ? 'Question' : 'Title';
    $('title-hint').textContent = question
      ? 'The heading of the slide, and what phones show above the options.'
      : 'The big line at the top of the slide.';
    $('text-label').textContent = question ? 'Extra text' : 'Text';
    $('title').value = slide.title;
    $('text').value = slide.text;
    $('notes').value = slide.notes;
    for (const radio of document.querySelectorAll('input[name="kind"]')) radio.checked = radio.value === slide.kind;
    $('max').value = slide.max === null ? '' : String(slide.max);
    $('max-field').hidden = slide.kind !== 'multiple';
    if (question) renderOptions();
    paintChecks();
  }

  function renderOptions(focus) {
    const slide = current();
    const list = $('options');
    list.textContent = '';
    slide.options.forEach((text, i) => {
      const li = document.createElement('li');
      const label = document.createElement('label');
      label.htmlFor = `option-${i}`;
      label.className = 'letter';
      const hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = 'Option ';
      label.append(hidden, letter(i));
      const input = document.createElement('input');
      input.type = 'text';
      input.id = `option-${i}`;
      input.autocomplete = 'off';
      input.value = text;
      input.dataset.option = String(i);
      input.setAttribute('aria-describedby', `option-${i}-error`);
      const buttons = document.createElement('span');
      buttons.className = 'row-tools';
      buttons.append(
        rowButton('↑', `Move option ${letter(i)} up`, 'up', i, i === 0),
        rowButton('↓', `Move option ${letter(i)} down`, 'down', i, i === slide.options.length - 1),
        rowButton('×', `Remove option ${letter(i)}`, 'remove', i, false),
      );
      const error = document.createElement('p');
      error.className = 'field-error';
      error.id = `option-${i}-error`;
      error.hidden = true;
      li.append(label, input, buttons, error);
      list.append(li);
    });
    $('add-option').disabled = slide.options.length >= MAX_OPTIONS;
    if (focus) focus();
  }

  function rowButton(text, name, action, i, disabled) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.setAttribute('aria-label', name);
    button.title = name;
    button.dataset.action = action;
    button.dataset.option = String(i);
    button.disabled = disabled;
    return button;
  }

  function showError(id, message) {
    const el = $(id);
    if (!el) return;
    el.textContent = message || '';
    el.hidden = !message;
  }

  // Marks fields and messages from the current state, without rebuilding inputs (focus stays put).
  function paintChecks() {
    const slide = current();
    if (!slide) return;
    const p = problems(slide);
    showError('title-error', p.title);
    $('title').setAttribute('aria-invalid', String(!!p.title));
    showError('options-error', p.list);
    showError('max-error', p.max);
    $('max').setAttribute('aria-invalid', String(!!p.max));
    showError('text-error', p.text);
    $('text').setAttribute('aria-invalid', String(!!p.text));
    showError('notes-error', p.notes);
    $('notes').setAttribute('aria-invalid', String(!!p.notes));
    slide.options.forEach((_, i) => {
      showError(`option-${i}-error`, p.options[i]);
      const input = $(`option-${i}`);
      if (input) input.setAttribute('aria-invalid', String(!!p.options[i]));
    });
    showError('slide-error', slide.serverError);
    const lost = discards(slide);
    const warning = $('kind-warning');
    warning.textContent = lost ? `Saving will discard ${plural(lost, 'answer', 'answers')} to this question.` : '';
    warning.hidden = !lost;
    const note = $('answers-note');
    note.textContent = slide.answers ? `${plural(slide.answers, 'answer', 'answers')} in this session` : '';
    note.hidden = !slide.answers;
  }

  function changed(preview = true) {
    const slide = current();
    if (slide) slide.serverError = '';
    paintChecks();
    paintDirty();
    if (preview) schedulePreview();
  }

  function editOption(i, action) {
    const slide = current();
    const options = slide.options;
    let focus;
    if (action === 'up' && i > 0) {
      [options[i - 1], options[i]] = [options[i], options[i - 1]];
      focus = () => focusRowButton(i - 1, i - 1 === 0 ? 'down' : 'up');
    } else if (action === 'down' && i < options.length - 1) {
      [options[i + 1], options[i]] = [options[i], options[i + 1]];
      focus = () => focusRowButton(i + 1, i + 1 === options.length - 1 ? 'up' : 'down');
    } else if (action === 'remove') {
      options.splice(i, 1);
      focus = () => {
        const next = $(`option-${Math.min(i, options.length - 1)}`);
        (next || $('add-option')).focus();
      };
    } else {
      return;
    }
    renderOptions(focus);
    changed();
    refreshListItem(selected);
  }

  function focusRowButton(i, action) {
    const button = $('options').querySelector(`button[data-option="${i}"][data-action="${action}"]`);
    if (button) button.focus();
  }

  function addOption(after) {
    const slide = current();
    if (slide.options.length >= MAX_OPTIONS) return;
    const at = after === undefined ? slide.options.length : after + 1;
    slide.options.splice(at, 0, '');
    renderOptions(() => $(`option-${at}`).focus());
    changed();
  }

  // ---- Preview ------------------------------------------------------------------

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(previewNow, PREVIEW_DELAY);
    paintQuestionPreview();
  }

  async function previewNow() {
    clearTimeout(previewTimer);
    paintQuestionPreview();
    const slide = current();
    if (!slide) return;
    const seq = ++previewSeq;
    $('preview-status').textContent = 'Updating…';
    let result;
    try {
      result = await call('POST', '/api/preview', previewable(slide));
    } catch (_) {
      if (seq === previewSeq) showPreviewProblem('The preview is not available: Handsup does not answer.');
      return;
    }
    if (seq !== previewSeq) return;
    if (result.ok && result.json && typeof result.json.html === 'string') {
      // The only server markup on this page: slide HTML rendered from escaped Markdown.
      $('preview').innerHTML = result.json.html;
      previewShows = slide.key;
      $('preview-box').classList.remove('stale');
      $('preview-status').textContent = '';
      fitContent();
    } else if (previewShows === slide.key) {
      showPreviewProblem(`The preview shows the last version that worked. ${errorText(result)}`);
    } else {
      // Another slide's picture would mislead: show none.
      $('preview').textContent = '';
      previewShows = 0;
      showPreviewProblem(`No preview yet. ${errorText(result)}`);
    }
  }

  // Options are drawn here, not by the server: half-typed ones must not stop the slide's preview.
  function previewable(slide) {
    const form = wire(slide);
    if (!isQuestion(slide)) return form;
    const options = [...new Set(form.options.filter((o) => o && [...o].length <= MAX_OPTION_CHARS && !/<!--|-->/.test(o)))];
    for (let i = 0; options.length < 2; i++) {
      if (!options.includes(`Option ${letter(i)}`)) options.push(`Option ${letter(i)}`);
    }
    form.options = options.slice(0, MAX_OPTIONS);
    if (form.max !== null && !(Number.isInteger(form.max) && form.max >= 1 && form.max <= form.options.length)) form.max = null;
    return form;
  }

  function showPreviewProblem(text) {
    $('preview-box').classList.add('stale');
    $('preview-status').textContent = text;
  }

  // Result rows as the projector draws them, and the option buttons as phones show them.
  function paintQuestionPreview() {
    const slide = current();
    const question = !!slide && isQuestion(slide);
    const stage = $('stage');
    stage.classList.toggle('first', selected === 0);
    stage.classList.toggle('question', question);
    $('preview-results').hidden = !question;
    $('phone-preview').hidden = !question;
    const bars = $('preview-bars');
    bars.textContent = '';
    if (!question) {
      fitContent();
      return;
    }
    const options = slide.options.map((o) => o.trim());
    const results = $('preview-results');
    results.classList.toggle('many', options.length > 5);
    results.classList.toggle('crowded', options.length > 12);
    HandsupBars.build(bars, options);
    fitContent();

    const n = options.length;
    let kind = 'Pick one.';
    if (slide.kind === 'multiple') {
      kind = Number.isInteger(slide.max) && slide.max >= 1 && slide.max < n ? `Pick up to ${slide.max}.` : 'Pick one or more.';
    }
    $('phone-kind').textContent = kind;
    const list = $('phone-options');
    list.textContent = '';
    options.forEach((text, i) => {
      const li = document.createElement('li');
      const badge = document.createElement('span');
      badge.className = 'phone-letter';
      badge.textContent = letter(i);
      const label = document.createElement('span');
      label.className = 'phone-label';
      label.textContent = text || '(empty)';
      label.classList.toggle('empty', !text);
      li.append(badge, label);
      list.append(li);
    });
  }

  const overflows = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;

  // As on the projector: a slide with more than fits gets smaller type, not text off screen.
  function fitContent() {
    const stage = $('stage');
    const content = $('preview');
    const bars = $('preview-bars');
    stage.style.setProperty('--fit', '1');
    stage.style.setProperty('--bars-fit', '1');
    if (!stage.offsetParent) return;
    if (stage.classList.contains('question')) {
      for (let f = 0.95; f > 0.6 && overflows(bars); f -= 0.05) stage.style.setProperty('--bars-fit', f.toFixed(2));
      for (let f = 0.95; f > 0.6 && overflows(bars); f -= 0.05) stage.style.setProperty('--fit', f.toFixed(2));
    } else {
      for (let f = 0.95; f > 0.6 && overflows(content); f -= 0.05) stage.style.setProperty('--fit', f.toFixed(2));
    }
  }

  function placeStage() {
    const width = $('preview-frame').clientWidth;
    if (!(width > 0)) return;
    const scale = width / STAGE_WIDTH;
    $('stage').style.setProperty('--stage-scale', String(scale));
    $('preview-box').style.height = `${Math.round(STAGE_HEIGHT * scale)}px`;
  }

  // ---- Server -------------------------------------------------------------------

  async function call(method, path, body) {
    const init = { method, cache: 'no-store', headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(withToken(path), init);
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch (_) { /* plain-text refusals */ }
    return { ok: response.ok, status: response.status, json, text };
  }

  // Server messages start in lower case, to fit after a file name; here they stand alone.
  const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

  function errorText(result) {
    if (result.json && typeof result.json.error === 'string') return sentence(result.json.error);
    const text = (result.text || '').trim();
    return text ? sentence(text) : `Handsup answered with status ${result.status}.`;
  }

  function adopt(data) {
    deck = {
      path: typeof data.path === 'string' && data.path ? data.path : null,
      suggested: typeof data.suggested_path === 'string' ? data.suggested_path : '',
      title: String(data.title ?? ''),
      slides: (Array.isArray(data.slides) ? data.slides : []).map(fromServer),
    };
    if (!deck.slides.length) deck.slides.push(blank('content', deck.title || 'Untitled talk'));
    baseline = snapshot();
    selected = Math.min(selected, deck.slides.length - 1);
    previewShows = 0;
    paintDeck();
  }

  function paintDeck() {
    $('loading').hidden = true;
    $('load-error').hidden = true;
    $('deck-title').value = deck.title;
    document.title = `${deck.title || 'Untitled'} · Handsup deck editor`;
    $('path-field').hidden = !!deck.path;
    $('file').hidden = !deck.path;
    $('file-path').textContent = deck.path || '';
    if (!deck.path) $('save-path').value = deck.suggested;
    for (const id of ['deck-title', 'new-deck', 'save', 'add-slide', 'add-question']) $(id).disabled = false;
    renderList();
    renderForm();
    paintDirty();
    previewNow();
  }

  async function load() {
    $('loading').hidden = false;
    $('load-error').hidden = true;
    let result;
    try {
      result = await call('GET', '/api/deck');
    } catch (_) {
      return loadFailed('Handsup does not answer. Is it still running?');
    }
    if (!result.ok || !result.json) return loadFailed(`Could not open the deck: ${errorText(result)}`);
    adopt(result.json);
    shownPath = deck.path;
    say('Changes stay in this page until you press Save (Ctrl+S).');
  }

  function loadFailed(text) {
    $('loading').hidden = true;
    $('load-error-text').textContent = text;
    $('load-error').hidden = false;
  }

  // After a save the server reloads the presentation; it may be away for a moment, or
  // still hold the old deck. Only the deck just written has fresh indices and ids.
  async function reloadAfterSave(path, sent) {
    const squash = (text) => String(text ?? '').replace(/\s+/g, ' ').trim();
    const shape = (slides) => JSON.stringify(slides.map((s) => [
      s.kind, squash(s.title), squash(s.text), squash(s.notes), s.kind === 'content' ? [] : (s.options || []).map(squash),
    ]));
    const want = shape(sent.slides);
    const title = squash(sent.title);
    const end = Date.now() + 10000;
    let last = 'Handsup does not answer.';
    while (Date.now() < end) {
      try {
        const result = await call('GET', '/api/deck');
        if (result.ok && result.json && Array.isArray(result.json.slides)) {
          const fresh = result.json.path === path && shape(result.json.slides) === want
            && (!title || squash(result.json.title) === title);
          if (fresh) return result.json;
          last = 'Handsup still shows the deck as it was before.';
        } else {
          last = errorText(result);
        }
      } catch (_) { /* restarting: try again */ }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(last);
  }

  function firstProblem() {
    for (const slide of deck.slides) slide.checked = true;
    for (let i = 0; i < deck.slides.length; i++) {
      const p = problems(deck.slides[i]);
      if (p.first) return { index: i, problem: p };
    }
    return null;
  }

  function focusProblem(p) {
    if (p.title) return $('title').focus();
    const bad = p.options.findIndex(Boolean);
    if (bad >= 0) return $(`option-${bad}`).focus();
    if (p.list) return $('add-option').focus();
    if (p.max) return $('max').focus();
    if (p.text) return $('text').focus();
    if (p.notes) return $('notes').focus();
  }

  async function save() {
    if (!deck || saving) return;
    const found = firstProblem();
    renderList();
    if (found) {
      select(found.index);
      say(`Not saved. Slide ${found.index + 1}: ${found.problem.first}`, 'error');
      focusProblem(found.problem);
      return;
    }
    const path = deck.path || $('save-path').value.trim();
    if (!path) {
      say('Not saved: type where to save the deck in “Save to”, for example a path ending in talk.md.', 'error');
      $('save-path').focus();
      return;
    }
    // The server writes over the file it is showing without asking; a new deck should ask.
    if (!deck.path && shownPath && path === shownPath) {
      const ok = await ask({
        title: 'Replace the deck on screen?',
        text: `${path} holds the deck Handsup is showing now. Saving replaces it with this one.`,
        ok: 'Replace it',
      });
      if (!ok) {
        say('Not saved: choose another file in “Save to”.', 'error');
        $('save-path').focus();
        return;
      }
    }
    saving = true;
    const focused = document.activeElement;
    $('save').disabled = true;
    // Edits typed while the file is written would be lost when the saved deck comes back.
    $('columns').inert = true;
    $('top').inert = true;
    say('Saving…');
    try {
      await send(path, false);
    } finally {
      saving = false;
      $('columns').inert = false;
      $('top').inert = false;
      $('save').disabled = false;
      // Inert fields drop focus; give it back where the user was.
      if (!document.activeElement || document.activeElement === document.body) {
        (focused && focused.isConnected && !focused.disabled ? focused : $('save')).focus();
      }
    }
  }

  async function send(path, discard) {
    const sent = deck.slides.slice();
    const body = { path, title: deck.title, slides: sent.map(wire), discard_answers: discard };
    let result;
    try {
      result = await call('PUT', '/api/deck', body);
    } catch (_) {
      say('Not saved: Handsup does not answer. Is it still running?', 'error');
      return;
    }
    if (result.ok) {
      const where = result.json && typeof result.json.path === 'string' ? result.json.path : path;
      say(`Saved to ${where}. Reloading…`, 'ok');
      try {
        adopt(await reloadAfterSave(where, body));
        shownPath = deck.path;
        say(`Saved to ${where}`, 'ok');
      } catch (err) {
        say(`Saved to ${where}, but the deck could not be read back: ${err.message} Reload this page.`, 'error');
      }
      return;
    }
    if (result.status === 409 && result.json && Array.isArray(result.json.confirm)) {
      const items = result.json.confirm.map((q) => {
        const n = Number(q.answers) || 0;
        return `Discard ${plural(n, 'answer', 'answers')} to ‘${String(q.title ?? q.id ?? '')}’`;
      });
      const ok = await ask({
        title: 'Discard answers?',
        text: 'You changed or removed questions that people have already answered in this session. '
          + 'Saving deletes those answers.',
        items,
        ok: 'Discard answers and save',
      });
      if (ok) {
        say('Saving…');
        await send(path, true);
      } else {
        say('Not saved: the answers are kept.', 'error');
        $('save').focus();
      }
      return;
    }
    if (result.status === 422 && result.json) {
      const index = Number.isInteger(result.json.slide) ? result.json.slide : null;
      const message = errorText(result);
      const slide = index !== null ? sent[index] : null;
      if (slide && deck.slides.includes(slide)) {
        slide.serverError = message;
        renderList();
        select(deck.slides.indexOf(slide));
        say(`Not saved. Slide ${index + 1}: ${message}`, 'error');
      } else {
        say(`Not saved: ${message}`, 'error');
      }
      return;
    }
    say(`Not saved: ${errorText(result)}`, 'error');
  }

  async function newDeck() {
    if (isDirty()) {
      const ok = await ask({
        title: 'Start a new deck?',
        text: 'Your unsaved changes to this deck will be lost.',
        ok: 'Discard changes',
      });
      if (!ok) {
        $('new-deck').focus();
        return;
      }
    }
    const suggested = deck ? suggestionFor(deck) : '';
    selected = 0;
    adopt({ path: null, suggested_path: suggested, title: 'Untitled talk', slides: [] });
    say('New deck: nothing is saved until you press Save.');
    $('deck-title').focus();
    $('deck-title').select();
  }

  // Never propose the file of the deck that was open: a new deck must not silently replace it.
  function suggestionFor(old) {
    const suggested = old.suggested || '';
    if (!old.path || suggested !== old.path) return suggested;
    const cut = Math.max(suggested.lastIndexOf('/'), suggested.lastIndexOf('\\'));
    return `${suggested.slice(0, cut + 1)}untitled-talk.md`;
  }

  // ---- Events -------------------------------------------------------------------

  $('deck-title').addEventListener('input', (e) => {
    deck.title = e.target.value;
    document.title = `${deck.title || 'Untitled'} · Handsup deck editor`;
    paintDirty();
  });

  $('title').addEventListener('input', (e) => {
    current().title = e.target.value;
    changed();
    refreshListItem(selected);
  });
  $('text').addEventListener('input', (e) => { current().text = e.target.value; changed(); });
  $('notes').addEventListener('input', (e) => { current().notes = e.target.value; changed(false); refreshListItem(selected); });

  for (const radio of document.querySelectorAll('input[name="kind"]')) {
    radio.addEventListener('change', () => {
      const slide = current();
      slide.kind = radio.value;
      $('max-field').hidden = slide.kind !== 'multiple';
      changed();
      refreshListItem(selected);
      $('form-heading').textContent = `Slide ${selected + 1} of ${deck.slides.length}: question`;
    });
  }

  $('max').addEventListener('input', (e) => {
    const raw = e.target.value.trim();
    current().max = raw === '' ? null : Number(raw);
    changed();
  });

  $('options').addEventListener('input', (e) => {
    const i = Number(e.target.dataset.option);
    if (!Number.isInteger(i)) return;
    current().options[i] = e.target.value;
    changed();
  });
  $('options').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.target.tagName !== 'INPUT') return;
    e.preventDefault();
    const i = Number(e.target.dataset.option);
    const next = $(`option-${i + 1}`);
    if (next) next.focus();
    else addOption(i);
  });
  $('options').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button) return;
    editOption(Number(button.dataset.option), button.dataset.action);
  });
  $('add-option').addEventListener('click', () => addOption());
  // Refresh list markers once the user leaves a field, not on every key.
  $('form').addEventListener('focusout', () => { if (deck) refreshListItem(selected); });
  $('form').addEventListener('submit', (e) => e.preventDefault());

  $('add-slide').addEventListener('click', () => insertSlide(blank('content')));
  $('add-question').addEventListener('click', () => insertSlide(blank('single')));
  $('move-up').addEventListener('click', () => {
    moveSlide(selected, selected - 1);
    if ($('move-up').disabled) $('move-down').focus();
  });
  $('move-down').addEventListener('click', () => {
    moveSlide(selected, selected + 1);
    if ($('move-down').disabled) $('move-up').focus();
  });
  $('duplicate').addEventListener('click', duplicateSlide);
  $('delete').addEventListener('click', deleteSlide);

  // Arrow keys walk the list; with Alt they carry the selected slide along.
  $('slides').addEventListener('keydown', (e) => {
    if (!deck || !e.target.closest('button.pick')) return;
    const step = e.key === 'ArrowUp' ? -1 : e.key === 'ArrowDown' ? 1 : 0;
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      select(e.key === 'Home' ? 0 : deck.slides.length - 1, true);
      return;
    }
    if (!step) return;
    e.preventDefault();
    if (e.altKey) {
      moveSlide(selected, selected + step);
      focusPick(selected);
    } else {
      select(selected + step, true);
    }
  });

  $('slides').addEventListener('dragstart', (e) => {
    const li = e.target.closest('li');
    if (!li) return;
    dragFrom = Number(li.dataset.index);
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(dragFrom));
    li.classList.add('dragging');
  });
  $('slides').addEventListener('dragover', (e) => {
    const li = e.target.closest('li');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const box = li.getBoundingClientRect();
    const below = e.clientY > box.top + box.height / 2;
    for (const other of $('slides').children) other.classList.remove('drop-before', 'drop-after');
    li.classList.add(below ? 'drop-after' : 'drop-before');
  });
  $('slides').addEventListener('drop', (e) => {
    const li = e.target.closest('li');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    const target = Number(li.dataset.index);
    const below = li.classList.contains('drop-after');
    let to = below ? target + 1 : target;
    if (to > dragFrom) to -= 1;
    const from = dragFrom;
    dragFrom = -1;
    moveSlide(from, to);
  });
  $('slides').addEventListener('dragend', () => {
    dragFrom = -1;
    for (const li of $('slides').children) li.classList.remove('drop-before', 'drop-after', 'dragging');
  });

  $('save').addEventListener('click', save);
  $('new-deck').addEventListener('click', newDeck);
  $('retry').addEventListener('click', load);

  const back = $('back');
  back.href = withToken('/');
  back.addEventListener('click', async (e) => {
    if (!isDirty()) return;
    e.preventDefault();
    const ok = await ask({
      title: 'Leave without saving?',
      text: 'Your changes to this deck will be lost.',
      ok: 'Leave without saving',
    });
    if (ok) {
      leaving = true;
      location.href = back.href;
    } else {
      back.focus();
    }
  });

  window.addEventListener('beforeunload', (e) => {
    if (leaving || !isDirty()) return;
    e.preventDefault();
    e.returnValue = '';
  });

  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 's' || e.key === 'S')) {
      e.preventDefault();
      if (!$('ask').open) save();
    }
  });

  new ResizeObserver(placeStage).observe($('preview-frame'));
  placeStage();

  if (!token) {
    loadFailed('This address has no token. Open the editor from the presenter page that Handsup printed.');
    $('retry').hidden = true;
  } else {
    load();
  }
})();
