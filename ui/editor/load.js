// Opening a deck: the kinds the server offers (GET /api/kinds), then the deck itself
// (GET /api/deck), turned into the page's model and drawn.
import { t } from '../lib/i18n.js';
import { $ } from './dom.js';
import { errorText, getDeck, getKinds } from './api.js';
import { emit, state } from './state.js';
import { setKinds } from './kinds.js';
import { blank, fromServer, isDirty, snapshot } from './model.js';
import { say } from './dialog.js';

export function paintDirty() {
  $('dirty').hidden = !isDirty();
}

export function paintTitle() {
  document.title = t('editor.pageTitleDeck', { title: state.deck.title || t('editor.untitled') });
}

// Makes `data` (an answer of GET /api/deck, or an empty new deck) the deck being edited.
export function adopt(data) {
  const deck = {
    path: typeof data.path === 'string' && data.path ? data.path : null,
    suggested: typeof data.suggested_path === 'string' ? data.suggested_path : '',
    title: String(data.title ?? ''),
    slides: (Array.isArray(data.slides) ? data.slides : []).map(fromServer),
  };
  if (!deck.slides.length) deck.slides.push(blank('content', deck.title || t('editor.untitledTalk')));
  state.deck = deck;
  state.baseline = snapshot();
  state.selected = Math.min(state.selected, deck.slides.length - 1);
  $('loading').hidden = true;
  $('load-error').hidden = true;
  $('deck-title').value = deck.title;
  paintTitle();
  $('path-field').hidden = !!deck.path;
  $('file').hidden = !deck.path;
  $('file-path').textContent = deck.path || '';
  if (!deck.path) $('save-path').value = deck.suggested;
  for (const id of ['deck-title', 'new-deck', 'save', 'add-slide', 'add-question']) $(id).disabled = false;
  paintDirty();
  emit('adopted');
}

export function loadFailed(text) {
  $('loading').hidden = true;
  $('load-error-text').textContent = text;
  $('load-error').hidden = false;
}

export async function load() {
  $('loading').hidden = false;
  $('load-error').hidden = true;
  let kinds;
  let deck;
  try {
    [kinds, deck] = await Promise.all([getKinds(), getDeck()]);
  } catch (_) {
    return loadFailed(t('editor.noAnswer'));
  }
  if (!kinds.ok || !kinds.json) return loadFailed(t('editor.kindsFailed', { error: errorText(kinds) }));
  try {
    setKinds(Array.isArray(kinds.json) ? kinds.json : kinds.json.kinds);
  } catch (err) {
    return loadFailed(err.message);
  }
  if (!deck.ok || !deck.json) return loadFailed(t('editor.deckFailed', { error: errorText(deck) }));
  adopt(deck.json);
  state.shownPath = state.deck.path;
  say(t('editor.ready'));
}
