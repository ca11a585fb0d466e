// The slide list: one button per slide, arrow keys, drag and drop, and the tools under
// it (move, duplicate, delete).
import { t } from '../lib/i18n.js';
import { $, count, el, number } from './dom.js';
import { current, emit, state } from './state.js';
import { isQuestion, kindLabel } from './kinds.js';
import { duplicate } from './model.js';
import { needsAttention } from './problems.js';
import { ask } from './dialog.js';

let dragFrom = -1;

function problemMark() {
  return el('span', { className: 'problem', text: t('editor.needsAttention') });
}

function listItem(slide, i) {
  const selected = i === state.selected;
  const button = el('button', {
    type: 'button', className: 'pick', tabIndex: selected ? 0 : -1,
    attrs: { 'aria-describedby': 'slides-keys' },
  });
  if (selected) button.setAttribute('aria-current', 'true');
  const text = slide.title.trim();
  const question = isQuestion(slide.kind);
  const title = el('span', { className: 'title', text: text || t(question ? 'editor.noQuestion' : 'editor.noTitle') });
  title.classList.toggle('empty', !text);
  button.append(
    el('span', { className: 'num', text: number(i + 1) }),
    el('span', { className: `kind-badge${question ? ' question' : ''}`, text: kindLabel(slide.kind) }),
    title,
  );
  if (slide.answers) {
    button.append(el('span', { className: 'answers', text: count(slide.answers, 'editor.answersInSession') }));
  }
  if (needsAttention(slide)) button.append(problemMark());
  return el('li', { draggable: true, dataset: { index: String(i) } }, button);
}

export function renderList() {
  const list = $('slides');
  const focused = list.contains(document.activeElement);
  list.textContent = '';
  state.deck.slides.forEach((slide, i) => list.append(listItem(slide, i)));
  if (focused) focusPick(state.selected);
  paintTools();
}

export function refreshListItem(i) {
  const old = $('slides').children[i];
  if (!old || !state.deck.slides[i]) return;
  const hadFocus = old.contains(document.activeElement);
  const fresh = listItem(state.deck.slides[i], i);
  old.replaceWith(fresh);
  if (hadFocus) fresh.querySelector('button').focus();
}

// After a check: the marks only, so a drag or the focus in the list is not disturbed.
export function paintMarks() {
  if (!state.deck) return;
  [...$('slides').children].forEach((li, i) => {
    const slide = state.deck.slides[i];
    const button = li.querySelector('button');
    if (!slide || !button) return;
    const mark = button.querySelector('.problem');
    const bad = needsAttention(slide);
    if (bad && !mark) button.append(problemMark());
    if (!bad && mark) mark.remove();
  });
}

export function focusPick(i) {
  const li = $('slides').children[i];
  if (li) li.querySelector('button').focus();
}

export function paintTools() {
  const { deck, selected } = state;
  const n = deck ? deck.slides.length : 0;
  $('move-up').disabled = !deck || selected <= 0;
  $('move-down').disabled = !deck || selected >= n - 1;
  $('duplicate').disabled = !deck;
  // A deck needs at least one slide to be a deck at all.
  $('delete').disabled = !deck || n <= 1;
  $('slide-tools').setAttribute('aria-label', deck ? t('editor.selected', { slide: number(selected + 1) }) : t('editor.selectedNone'));
}

// Moves the highlight and the single tab stop of the list to the selected slide.
export function markSelected(focusList) {
  [...$('slides').children].forEach((li, index) => {
    const button = li.querySelector('button');
    button.tabIndex = index === state.selected ? 0 : -1;
    if (index === state.selected) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  });
  const li = $('slides').children[state.selected];
  if (li) li.scrollIntoView({ block: 'nearest' });
  if (focusList) focusPick(state.selected);
  paintTools();
}

// ---- Changes to the list ---------------------------------------------------------

export function moveSlide(from, to) {
  const slides = state.deck.slides;
  if (from === to || to < 0 || to >= slides.length) return;
  const [slide] = slides.splice(from, 1);
  slides.splice(to, 0, slide);
  state.selected = to;
  renderList();
  emit('reshaped', { preview: false });
}

export function insertSlide(slide) {
  const slides = state.deck.slides;
  const at = slides.length ? state.selected + 1 : 0;
  slides.splice(at, 0, slide);
  state.selected = at;
  renderList();
  emit('reshaped', { preview: true });
  $('title').focus();
}

async function deleteSlide() {
  const slide = current();
  const { deck, selected } = state;
  if (!slide || deck.slides.length <= 1) return;
  const title = slide.title.trim();
  const text = title ? t('editor.deleteText', { title }) : t('editor.deleteTextUntitled');
  const ok = await ask({
    title: t('editor.deleteTitle', { slide: number(selected + 1) }),
    text: slide.answers ? `${text} ${count(slide.answers, 'editor.deleteAnswers')}` : text,
    ok: t('editor.deleteOk'),
  });
  if (!ok) {
    $('delete').focus();
    return;
  }
  deck.slides.splice(selected, 1);
  state.selected = Math.min(selected, deck.slides.length - 1);
  renderList();
  emit('reshaped', { preview: true });
  focusPick(state.selected);
}

// ---- Events -------------------------------------------------------------------------

export function bindList() {
  const list = $('slides');
  list.addEventListener('click', (e) => {
    const li = e.target.closest('li');
    if (li && e.target.closest('button.pick')) emit('select', Number(li.dataset.index));
  });

  // Arrow keys walk the list; with Alt they carry the selected slide along.
  list.addEventListener('keydown', (e) => {
    if (!state.deck || !e.target.closest('button.pick')) return;
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      emit('select', e.key === 'Home' ? 0 : state.deck.slides.length - 1, true);
      return;
    }
    const step = e.key === 'ArrowUp' ? -1 : e.key === 'ArrowDown' ? 1 : 0;
    if (!step) return;
    e.preventDefault();
    if (e.altKey) {
      moveSlide(state.selected, state.selected + step);
      focusPick(state.selected);
    } else {
      emit('select', state.selected + step, true);
    }
  });

  list.addEventListener('dragstart', (e) => {
    const li = e.target.closest('li');
    if (!li) return;
    dragFrom = Number(li.dataset.index);
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(dragFrom));
    li.classList.add('dragging');
  });
  list.addEventListener('dragover', (e) => {
    const li = e.target.closest('li');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const box = li.getBoundingClientRect();
    const below = e.clientY > box.top + box.height / 2;
    for (const other of list.children) other.classList.remove('drop-before', 'drop-after');
    li.classList.add(below ? 'drop-after' : 'drop-before');
  });
  list.addEventListener('drop', (e) => {
    const li = e.target.closest('li');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    const target = Number(li.dataset.index);
    let to = li.classList.contains('drop-after') ? target + 1 : target;
    if (to > dragFrom) to -= 1;
    const from = dragFrom;
    dragFrom = -1;
    moveSlide(from, to);
  });
  list.addEventListener('dragend', () => {
    dragFrom = -1;
    for (const li of list.children) li.classList.remove('drop-before', 'drop-after', 'dragging');
  });

  $('move-up').addEventListener('click', () => {
    moveSlide(state.selected, state.selected - 1);
    if ($('move-up').disabled) $('move-down').focus();
  });
  $('move-down').addEventListener('click', () => {
    moveSlide(state.selected, state.selected + 1);
    if ($('move-down').disabled) $('move-up').focus();
  });
  $('duplicate').addEventListener('click', () => {
    const slide = current();
    if (slide) insertSlide(duplicate(slide));
  });
  $('delete').addEventListener('click', deleteSlide);
}
