// Option letters A..Z and the Okabe–Ito colours, with the ink that reads on each.

// Okabe–Ito stays distinguishable with the common colour-vision deficiencies; the
// letter on each badge means nobody has to match by colour alone.
export const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#000000'];
// The letter colour with the higher contrast on each background (white only on blue and black).
export const INKS = ['#fff', '#000', '#000', '#000', '#000', '#000', '#000', '#fff'];

export const letter = (i) => (i >= 0 && i < 26 ? String.fromCharCode(65 + i) : String(i + 1));
export const colour = (i) => COLOURS[i % COLOURS.length];
export const ink = (i) => INKS[i % INKS.length];

// Sets the custom properties the stylesheet paints badges and fills with.
export function setColours(element, i) {
  element.style.setProperty('--c', colour(i));
  element.style.setProperty('--ink', ink(i));
}
