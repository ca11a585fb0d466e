// Small DOM helpers. Text always goes in through textContent, never as markup.
import { num, plural } from '../lib/i18n.js';

export const $ = (id) => document.getElementById(id);

export const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));

// A number as a deck and the phones write it, with this language's decimal sign but no grouping
// ("1000", "2.5"; in German "2,5").
export const number = (x) => num(x, { useGrouping: false, maximumFractionDigits: 20 });

// The form of the line `key` for the count `n`, `{n}` written as `number` writes it.
export const count = (n, key, vars) => plural(n, key, { ...vars, n: number(Number(n) || 0) });

// el('p', { className: 'hint', id: 'x', text: 'Hello' }, child…). Keys of `props` that
// are element properties are set as such; `text` is textContent; `attrs` are attributes.
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  const { text, attrs, dataset, ...rest } = props;
  Object.assign(element, rest);
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) element.setAttribute(name, value);
  Object.assign(element.dataset, dataset || {});
  element.append(...children);
  return element;
}

// Server messages mark code with backticks (`- First`, `phones`): those parts become
// <code> elements. Text only, never markup.
export function setMessage(element, text) {
  element.textContent = '';
  const parts = String(text ?? '').split('`');
  // An odd number of backticks is not code markup: show the text as it is.
  if (parts.length % 2 === 0) {
    element.textContent = String(text);
    return;
  }
  parts.forEach((part, i) => {
    if (!part) return;
    element.append(i % 2 ? el('code', { text: part }) : part);
  });
}

// An error slot under a field: shown with its message, hidden without one.
export function showError(id, message) {
  const slot = $(id);
  if (!slot) return;
  setMessage(slot, message || '');
  slot.hidden = !message;
}

export function markInvalid(id, invalid) {
  const field = $(id);
  if (field) field.setAttribute('aria-invalid', String(!!invalid));
}
