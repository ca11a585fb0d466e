// Saving: check with the server, then PUT /api/deck, confirm discarded answers when the
// server asks (409), and read the deck back once the presentation reloaded.
import { t } from '../lib/i18n.js';
import { $, count, number } from './dom.js';
import { errorText, getDeck, putDeck } from './api.js';
import { emit, state } from './state.js';
import { wire } from './model.js';
import { ask, say } from './dialog.js';
import { applyProblems, cancelCheck, firstProblem, focusProblem, refusalText, runCheck } from './problems.js';
import { adopt } from './load.js';

// Shows the first problem (after a check or a refused save) and puts the cursor there.
function refuse(found) {
  if (found.index === null) {
    say(t('editor.notSaved', { error: found.problem.message }), 'error');
    if (found.problem.field === 'title') $('deck-title').focus();
    return;
  }
  emit('select', found.index);
  say(t('editor.notSavedSlide', { slide: number(found.index + 1), error: found.problem.message }), 'error');
  focusProblem(found.problem.field);
}

// Fields stay still while the deck is checked and written: edits typed meanwhile would be
// lost when the saved deck comes back.
function freeze(frozen) {
  $('columns').inert = frozen;
  $('top').inert = frozen;
  $('save').disabled = frozen;
}

export async function save() {
  const { deck } = state;
  if (!deck || state.saving) return;
  state.saving = true;
  const focused = document.activeElement;
  cancelCheck();
  freeze(true);
  try {
    await checkAndSend();
  } finally {
    state.saving = false;
    freeze(false);
    // Inert fields drop focus; give it back where the user was.
    if (!document.activeElement || document.activeElement === document.body) {
      (focused && focused.isConnected && !focused.disabled ? focused : $('save')).focus();
    }
  }
}

async function checkAndSend() {
  const { deck } = state;
  say(t('editor.checking'));
  const checked = await runCheck();
  if (!checked.ok) {
    say(t('editor.notSaved', { error: checked.error }), 'error');
    return;
  }
  const found = firstProblem();
  emit('checked');
  if (found) {
    // Unfreeze first: a field inside an inert column cannot take the cursor.
    freeze(false);
    refuse(found);
    return;
  }
  const path = deck.path || $('save-path').value.trim();
  if (!path) {
    freeze(false);
    say(t('editor.noPath'), 'error');
    $('save-path').focus();
    return;
  }
  // The server writes over the file it is showing without asking; a new deck should ask.
  if (!deck.path && state.shownPath && path === state.shownPath) {
    const ok = await ask({
      title: t('editor.replaceTitle'),
      text: t('editor.replaceText', { path }),
      ok: t('editor.replaceOk'),
    });
    if (!ok) {
      freeze(false);
      say(t('editor.otherFile'), 'error');
      $('save-path').focus();
      return;
    }
  }
  say(t('editor.saving'));
  await send(path, false);
}

async function send(path, discard) {
  const { deck } = state;
  const sent = deck.slides.slice();
  const body = { path, title: deck.title, slides: sent.map(wire), discard_answers: discard };
  let result;
  try {
    result = await putDeck(body);
  } catch (_) {
    say(t('editor.notSaved', { error: t('editor.noAnswer') }), 'error');
    return;
  }
  if (result.ok) {
    const where = result.json && typeof result.json.path === 'string' ? result.json.path : path;
    say(t('editor.savedReloading', { path: where }), 'ok');
    try {
      adopt(await reloadAfterSave(where, body));
      state.shownPath = state.deck.path;
      say(t('editor.saved', { path: where }), 'ok');
    } catch (err) {
      say(t('editor.savedUnread', { path: where, error: err.message }), 'error');
    }
    return;
  }
  if (result.status === 409 && result.json && Array.isArray(result.json.confirm)) {
    const items = result.json.confirm.map((q) => count(Number(q.answers) || 0, 'editor.discardItem',
      { title: String(q.title ?? q.id ?? '') }));
    const ok = await ask({
      title: t('editor.discardTitle'),
      text: t('editor.discardText'),
      items,
      ok: t('editor.discardOk'),
    });
    if (ok) {
      say(t('editor.saving'));
      await send(path, true);
    } else {
      freeze(false);
      say(t('editor.answersKept'), 'error');
      $('save').focus();
    }
    return;
  }
  if (result.status === 422 && result.json) {
    refused(result, sent, body);
    return;
  }
  say(t('editor.notSaved', { error: errorText(result) }), 'error');
}

// A 422: with the problems listed, they go next to their fields like a check's; without,
// the message goes on the slide it names.
function refused(result, sent, body) {
  const { deck } = state;
  const index = Number.isInteger(result.json.slide) ? result.json.slide : null;
  const message = refusalText(result);
  if (Array.isArray(result.json.problems) && result.json.problems.length) {
    applyProblems(sent, body.slides, result.json.problems);
    const found = firstProblem();
    emit('checked');
    freeze(false);
    if (found) {
      refuse(found);
      return;
    }
  }
  const slide = index !== null ? sent[index] : null;
  if (slide && deck.slides.includes(slide)) {
    slide.serverError = message;
    emit('checked');
    freeze(false);
    emit('select', deck.slides.indexOf(slide));
    say(t('editor.notSavedSlide', { slide: number(index + 1), error: message }), 'error');
  } else {
    say(t('editor.notSaved', { error: message }), 'error');
  }
}

// After a save the server reloads the presentation; it may be away for a moment, or
// still hold the old deck. Only the deck just written has fresh indices and ids.
async function reloadAfterSave(path, sent) {
  const squash = (text) => String(text ?? '').replace(/\s+/g, ' ').trim();
  const shape = (slides) => JSON.stringify(slides.map((s) => [
    s.kind, squash(s.title), squash(s.text), squash(s.notes), (s.options || []).map(squash),
  ]));
  const want = shape(sent.slides);
  const title = squash(sent.title);
  const end = Date.now() + 10000;
  let last = t('editor.noAnswerShort');
  while (Date.now() < end) {
    try {
      const result = await getDeck();
      if (result.ok && result.json && Array.isArray(result.json.slides)) {
        const fresh = result.json.path === path && shape(result.json.slides) === want
          && (!title || squash(result.json.title) === title);
        if (fresh) return result.json;
        last = t('editor.stillOld');
      } else {
        last = errorText(result);
      }
    } catch (_) { /* restarting: try again */ }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(last);
}

// Never propose the file of the deck that was open: a new deck must not silently replace it.
function suggestionFor(old) {
  const suggested = old.suggested || '';
  if (!old.path || suggested !== old.path) return suggested;
  const cut = Math.max(suggested.lastIndexOf('/'), suggested.lastIndexOf('\\'));
  return `${suggested.slice(0, cut + 1)}${t('editor.untitledFile')}`;
}

export async function newDeck(dirty) {
  if (dirty) {
    const ok = await ask({
      title: t('editor.newTitle'),
      text: t('editor.newText'),
      ok: t('editor.newOk'),
    });
    if (!ok) {
      $('new-deck').focus();
      return;
    }
  }
  const suggested = state.deck ? suggestionFor(state.deck) : '';
  state.selected = 0;
  adopt({ path: null, suggested_path: suggested, title: t('editor.untitledTalk'), slides: [] });
  say(t('editor.newStatus'));
  $('deck-title').focus();
  $('deck-title').select();
}
