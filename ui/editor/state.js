// The page's shared state, and a tiny hub so modules can ask for work done elsewhere
// (select a slide, redraw after an edit) without importing each other in circles.

export const state = {
  deck: null, // { path, suggested, title, slides: [slide model…] }
  shownPath: null, // the file of the deck Handsup is showing, as the server last named it
  baseline: '', // the deck as loaded or saved, to tell unsaved changes
  selected: 0,
  saving: false,
  leaving: false,
};

export const current = () => (state.deck ? state.deck.slides[state.selected] || null : null);

const hooks = new Map();

export function on(name, fn) {
  if (!hooks.has(name)) hooks.set(name, []);
  hooks.get(name).push(fn);
}

export function emit(name, ...args) {
  for (const fn of hooks.get(name) || []) fn(...args);
}
