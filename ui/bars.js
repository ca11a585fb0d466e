'use strict';

// The result bars, shared by the projector, the presenter view and the editor's
// preview, so a preview looks exactly like the room's screen.
window.HandsupBars = (() => {
  // Okabe–Ito, with the letter colour that reads best on each.
  const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442'];
  const INK = ['#fff', '#000', '#000', '#000', '#000', '#000', '#000'];
  const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));

  const span = (className, text) => {
    const element = document.createElement('span');
    element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };

  // One row per option at zero: badge, label, track with its fill, count and percentage.
  function build(list, options) {
    list.textContent = '';
    options.forEach((text, i) => {
      const li = document.createElement('li');
      li.dataset.option = String(i);
      li.style.setProperty('--c', COLOURS[i % COLOURS.length]);
      li.style.setProperty('--ink', INK[i % INK.length]);
      const track = span('track');
      track.append(span('fill'));
      const nums = span('nums');
      nums.append(span('count', '0'), span('pct', '0%'));
      li.append(span('badge', letter(i)), span('label', text), track, nums);
      list.append(li);
    });
    list.style.setProperty('--rows', String(Math.ceil(options.length / 2)));
  }

  return { build, letter };
})();
