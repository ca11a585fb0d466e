// The live preview: the slide as the projector renders it (POST /api/preview), its
// results view at zero answers drawn by the projector's own per-kind modules, and what
// phones get. Scaled to fit its column.
import { build as buildView, paint as paintView } from '/ui/kinds/index.js';
import { fitStage, STAGE_H, STAGE_W } from '/ui/lib/stage.js';
import { t } from '/ui/lib/i18n.js';
import { $, letter } from './dom.js';
import { previewSlide } from './api.js';
import { refusalText } from './problems.js';
import { current, state } from './state.js';
import { hasMarks, joinMark, optionsOf, rowName, splitMark } from './kinds.js';
import { wire } from './model.js';
import { paintPhone } from './phone.js';

const PREVIEW_DELAY = 300;

let timer = 0;
let seq = 0;
// The slide (by key) whose picture the preview shows, or 0.
let shows = 0;

export function schedulePreview() {
  clearTimeout(timer);
  timer = setTimeout(previewNow, PREVIEW_DELAY);
}

// Unfinished rows must not blank the picture while the user types: empty rows are left
// out, and placeholders stand in up to the fewest the kind takes (as the server
// describes it). Whether the slide is right is for the check to say, not this.
function previewForm(slide) {
  const form = wire(slide);
  const spec = optionsOf(slide.kind);
  if (!spec) return form;
  const marks = hasMarks(slide.kind);
  const textOf = (row) => (marks ? splitMark(row).text : row);
  const options = form.options.filter(textOf);
  const one = rowName(slide.kind);
  const name = one.charAt(0).toUpperCase() + one.slice(1);
  for (let i = 0; options.length < spec.min; i++) {
    const placeholder = `${name} ${letter(i)}`;
    if (!options.some((row) => textOf(row) === placeholder)) options.push(marks ? joinMark(false, placeholder) : placeholder);
  }
  form.options = Number.isFinite(spec.max) ? options.slice(0, spec.max) : options;
  // A quiz with no right answer ticked yet still gets its picture: the first row stands in, and
  // the picture (before the reveal) does not show which one is right.
  if (marks && form.options.length && !form.options.some((row) => splitMark(row).marked)) {
    form.options[0] = joinMark(true, splitMark(form.options[0]).text);
  }
  return form;
}

async function fetchPreview(slide) {
  const form = previewForm(slide);
  let result = await previewSlide(form);
  // A setting still being typed may be what the server refuses: show the slide without them.
  if (result.status === 422 && Object.keys(form.settings).length) {
    const plain = await previewSlide({ ...form, settings: {} });
    if (plain.ok) return { result: plain, note: t('editor.previewNoSettings') };
  }
  return { result, note: '' };
}

export async function previewNow() {
  clearTimeout(timer);
  paintStageClasses();
  const slide = current();
  if (!slide) return;
  const mine = ++seq;
  $('preview-status').textContent = t('editor.previewUpdating');
  let answer;
  try {
    answer = await fetchPreview(slide);
  } catch (_) {
    if (mine === seq) showProblem(t('editor.previewUnavailable'));
    return;
  }
  if (mine !== seq) return;
  const { result, note } = answer;
  if (result.ok && result.json && typeof result.json.html === 'string') {
    // The only server markup on this page: slide HTML rendered from escaped Markdown.
    $('preview').innerHTML = result.json.html;
    const question = result.json.question && typeof result.json.question === 'object' ? result.json.question : null;
    shows = slide.key;
    showQuestion(question);
    $('preview-box').classList.remove('stale');
    $('preview-status').textContent = note;
  } else if (shows === slide.key) {
    showProblem(t('editor.previewLast', { error: refusalText(result) }));
  } else {
    // Another slide's picture would mislead: show none.
    $('preview').textContent = '';
    shows = 0;
    showQuestion(null);
    showProblem(t('editor.previewNone', { error: refusalText(result) }));
  }
}

// The results as the room first sees them: the kind's view with no answers yet.
function showQuestion(question) {
  const stage = $('stage');
  const view = $('preview-view');
  stage.classList.toggle('question', !!question);
  $('preview-results').hidden = !question;
  if (question) {
    buildView(view, question);
    paintView(view, question, null, { revealed: false, projector: true });
  } else {
    view.textContent = '';
    delete view.dataset.kind;
  }
  paintPhone(question);
  fitStage(stage);
}

function showProblem(text) {
  $('preview-box').classList.add('stale');
  $('preview-status').textContent = text;
}

// The first slide has the large join code; moving slides changes that without a new picture.
export function paintStageClasses() {
  $('stage').classList.toggle('first', state.selected === 0);
  fitStage($('stage'));
}

export function forgetPreview() {
  shows = 0;
}

// A view that changes shape after it was built is fitted again, as on the projector.
export function watchStage() {
  $('stage').addEventListener('viewchange', () => fitStage($('stage')));
}

// The stage keeps the projector's 1920×1080 and is scaled to the column's width.
export function placeStage() {
  const width = $('preview-frame').clientWidth;
  if (!(width > 0)) return;
  const scale = width / STAGE_W;
  $('stage').style.setProperty('--stage-scale', String(scale));
  $('preview-box').style.height = `${Math.round(STAGE_H * scale)}px`;
}
