// The deck editor's entry point: wires the modules under /ui/editor/ together. The
// server is the only judge of a deck (POST /api/check); this page only edits forms.
import { plural, t, translatePage } from './lib/i18n.js';
import { $ } from './editor/dom.js';
import { hasToken, withToken } from './editor/api.js';
import { current, on, state } from './editor/state.js';
import { firstKind } from './editor/kinds.js';
import { blank, isDirty } from './editor/model.js';
import { ask } from './editor/dialog.js';
import { paintProblems, scheduleCheck, runCheck } from './editor/problems.js';
import { bindSettings } from './editor/settings.js';
import { bindForm, paintForm, renderForm } from './editor/form.js';
import { bindList, insertSlide, markSelected, paintMarks, refreshListItem, renderList } from './editor/list.js';
import { forgetPreview, paintStageClasses, placeStage, previewNow, schedulePreview, watchStage } from './editor/preview.js';
import { load, loadFailed, paintDirty, paintTitle } from './editor/load.js';
import { newDeck, save } from './editor/save.js';

// The page's own words in the system's language; the rest are drawn in it as they come.
translatePage();
$('add-option').textContent = t('editor.rowAdd', { row: t('editor.row') });
document.querySelector('#preview-results .respondents').textContent = plural(0, 'summary.answers');

// ---- What follows a change ------------------------------------------------------

function select(i, focusList) {
  if (!state.deck) return;
  const before = current();
  state.selected = Math.max(0, Math.min(i, state.deck.slides.length - 1));
  // Another slide's form starts at its top, not where the last one was scrolled to.
  if (current() !== before) $('form-column').scrollTop = 0;
  markSelected(focusList);
  renderForm();
  previewNow();
}

// A field of the selected slide changed.
function edited({ list = false, preview = true } = {}) {
  const slide = current();
  if (slide) slide.serverError = '';
  paintForm();
  paintDirty();
  if (list) refreshListItem(state.selected);
  scheduleCheck();
  if (preview) schedulePreview();
}

// Slides were added, moved or removed.
function reshaped({ preview }) {
  renderForm();
  if (preview) previewNow();
  else paintStageClasses();
  paintDirty();
  scheduleCheck();
}

on('select', select);
on('edited', edited);
on('reshaped', reshaped);
on('checked', () => {
  paintMarks();
  paintProblems();
});
on('adopted', () => {
  forgetPreview();
  renderList();
  renderForm();
  previewNow();
  runCheck();
});

// ---- Controls ---------------------------------------------------------------------

bindList();
bindForm();
bindSettings();

$('deck-title').addEventListener('input', (e) => {
  state.deck.title = e.target.value;
  paintTitle();
  paintDirty();
  scheduleCheck();
});

$('add-slide').addEventListener('click', () => insertSlide(blank('content')));
$('add-question').addEventListener('click', () => insertSlide(blank(firstKind())));

// Refresh the list's marks once the user leaves a field, not on every key.
$('form').addEventListener('focusout', () => { if (state.deck) refreshListItem(state.selected); });

$('save').addEventListener('click', save);
$('new-deck').addEventListener('click', () => newDeck(isDirty()));
$('retry').addEventListener('click', load);

const back = $('back');
back.href = withToken('/');
back.addEventListener('click', async (e) => {
  if (!isDirty()) return;
  e.preventDefault();
  const ok = await ask({
    title: t('editor.leaveTitle'),
    text: t('editor.leaveText'),
    ok: t('editor.leaveOk'),
  });
  if (ok) {
    state.leaving = true;
    location.href = back.href;
  } else {
    back.focus();
  }
});

window.addEventListener('beforeunload', (e) => {
  if (state.leaving || !isDirty()) return;
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
watchStage();

if (!hasToken()) {
  loadFailed(t('editor.noToken'));
  $('retry').hidden = true;
} else {
  load();
}
