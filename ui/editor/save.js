// Saving: check with the server, then PUT /api/deck, confirm discarded answers when the
// server asks (409), and read the deck back once the presentation reloaded.
import { $, plural } from './dom.js';
import { errorText, getDeck, putDeck } from './api.js';
import { emit, state } from './state.js';
import { wire } from './model.js';
import { ask, say } from './dialog.js';
import { applyProblems, cancelCheck, firstProblem, focusProblem, runCheck } from './problems.js';
import { adopt } from './load.js';

// Shows the first problem (after a check or a refused save) and puts the cursor there.
function refuse(found) {
  if (found.index === null) {
    say(`Not saved: ${found.problem.message}`, 'error');
    if (found.problem.field === 'title') $('deck-title').focus();
    return;
  }
  emit('select', found.index);
  say(`Not saved. Slide ${found.index + 1}: ${found.problem.message}`, 'error');
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
  say('Checking…');
  const checked = await runCheck();
  if (!checked.ok) {
    say(`Not saved: ${checked.error}`, 'error');
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
    say('Not saved: type where to save the deck in “Save to”, for example a path ending in talk.md.', 'error');
    $('save-path').focus();
    return;
  }
  // The server writes over the file it is showing without asking; a new deck should ask.
  if (!deck.path && state.shownPath && path === state.shownPath) {
    const ok = await ask({
      title: 'Replace the deck on screen?',
      text: `${path} holds the deck Handsup is showing now. Saving replaces it with this one.`,
      ok: 'Replace it',
    });
    if (!ok) {
      freeze(false);
      say('Not saved: choose another file in “Save to”.', 'error');
      $('save-path').focus();
      return;
    }
  }
  say('Saving…');
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
    say('Not saved: Handsup does not answer. Is it still running?', 'error');
    return;
  }
  if (result.ok) {
    const where = result.json && typeof result.json.path === 'string' ? result.json.path : path;
    say(`Saved to ${where}. Reloading…`, 'ok');
    try {
      adopt(await reloadAfterSave(where, body));
      state.shownPath = state.deck.path;
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
      freeze(false);
      say('Not saved: the answers are kept.', 'error');
      $('save').focus();
    }
    return;
  }
  if (result.status === 422 && result.json) {
    refused(result, sent, body);
    return;
  }
  say(`Not saved: ${errorText(result)}`, 'error');
}

// A 422: with the problems listed, they go next to their fields like a check's; without,
// the message goes on the slide it names.
function refused(result, sent, body) {
  const { deck } = state;
  const index = Number.isInteger(result.json.slide) ? result.json.slide : null;
  const message = errorText(result);
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
    say(`Not saved. Slide ${index + 1}: ${message}`, 'error');
  } else {
    say(`Not saved: ${message}`, 'error');
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
  let last = 'Handsup does not answer.';
  while (Date.now() < end) {
    try {
      const result = await getDeck();
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

// Never propose the file of the deck that was open: a new deck must not silently replace it.
function suggestionFor(old) {
  const suggested = old.suggested || '';
  if (!old.path || suggested !== old.path) return suggested;
  const cut = Math.max(suggested.lastIndexOf('/'), suggested.lastIndexOf('\\'));
  return `${suggested.slice(0, cut + 1)}untitled-talk.md`;
}

export async function newDeck(dirty) {
  if (dirty) {
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
  const suggested = state.deck ? suggestionFor(state.deck) : '';
  state.selected = 0;
  adopt({ path: null, suggested_path: suggested, title: 'Untitled talk', slides: [] });
  say('New deck: nothing is saved until you press Save.');
  $('deck-title').focus();
  $('deck-title').select();
}
