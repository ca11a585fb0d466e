// The 1920×1080 stage: scaled to fit its box, and its type shrunk when a slide holds more than fits.
//
// Expected markup (slide.css styles it):
//   <div class="stage-box"><div class="stage-frame"><div class="stage">
//     <section class="slide">…</section>
//     <section class="results"><div class="view">…</div></section>
//   </div></div></div>

export const STAGE_W = 1920;
export const STAGE_H = 1080;

// Sizes the frame to the largest 16:9 box that fits and scales the stage into it.
export function placeStage(box) {
  const frame = box.querySelector('.stage-frame');
  const stage = frame && frame.querySelector('.stage');
  if (!stage) return;
  const scale = Math.min(box.clientWidth / STAGE_W, box.clientHeight / STAGE_H);
  if (!(scale > 0)) return;
  frame.style.width = `${Math.floor(STAGE_W * scale)}px`;
  frame.style.height = `${Math.floor(STAGE_H * scale)}px`;
  stage.style.setProperty('--stage-scale', String(scale));
}

// Keeps every box's stage placed as windows and panes change size.
export function watchStageBoxes(boxes) {
  if (window.ResizeObserver) {
    const observer = new ResizeObserver((entries) => { for (const entry of entries) placeStage(entry.target); });
    boxes.forEach((box) => observer.observe(box));
  } else {
    window.addEventListener('resize', () => boxes.forEach(placeStage));
  }
  boxes.forEach(placeStage);
}

const overflows = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;

// A slide with more than fits gets smaller type instead of text off screen. The stage
// has a fixed size, so this is measured once per slide (and again when a results view
// changes shape) and then holds at any scale.
export function fitStage(stage) {
  const content = stage.querySelector('.slide');
  const view = stage.querySelector('.view');
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
  if (stage.classList.contains('question') && view) {
    // Measured with the results and a countdown showing, so showing hidden results or
    // starting a timer later cannot push rows off the stage.
    const hidden = view.hidden;
    view.hidden = false;
    const countdown = stage.querySelector('.countdown');
    const countdownHidden = countdown ? countdown.hidden : false;
    const value = countdown && countdown.querySelector('.countdown-value');
    const valueText = value ? value.textContent : '';
    if (countdown) countdown.hidden = false;
    if (value && !valueText) value.textContent = '0:00';
    const style = getComputedStyle(view);
    const size = parseFloat(style.getPropertyValue('--bars-size')) || 50;
    // Rows first, down to 28 px; then the title; smaller rows only as a last resort.
    const rows = shrink('--bars-fit', view, 1, Math.min(1, 28 / size));
    shrink('--fit', view, 1, 0.65);
    shrink('--bars-fit', view, rows, 0.65);
    view.hidden = hidden;
    if (countdown) countdown.hidden = countdownHidden;
    if (value) value.textContent = valueText;
  } else if (content) {
    shrink('--fit', content, 1, 0.65);
  }
}
