// The words of the desktop windows in the system's language (the webview's navigator.languages;
// in a browser, the browser's): English, German, French, Spanish, Italian, Dutch, Portuguese or
// Polish, English for anything else. Chosen once, when the page loads.
//
// A table (ui/lang/<code>.js) maps a key to a line, or to the plural forms of its language
// ({one, few, many, other}, as Intl.PluralRules names them); `{name}` in a line is filled in.
// The deck's own text and the participants' answers are never looked up here.
import de from '../lang/de.js';
import en from '../lang/en.js';
import es from '../lang/es.js';
import fr from '../lang/fr.js';
import it from '../lang/it.js';
import nl from '../lang/nl.js';
import pl from '../lang/pl.js';
import pt from '../lang/pt.js';

export const TABLES = Object.freeze({ en, de, fr, es, it, nl, pt, pl });

// The first of the user's languages that Handsup speaks, by its primary subtag ("de-AT" → "de").
export function pick(languages) {
  for (const tag of languages || []) {
    const primary = String(tag).toLowerCase().split(/[-_]/)[0];
    if (Object.prototype.hasOwnProperty.call(TABLES, primary)) return primary;
  }
  return 'en';
}

const preferred = typeof navigator === 'undefined' ? []
  : (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
export const lang = pick(preferred);
const table = TABLES[lang];
const cardinal = new Intl.PluralRules(lang);
const ordinals = new Intl.PluralRules(lang, { type: 'ordinal' });

if (typeof document !== 'undefined') document.documentElement.lang = lang;

// A number as this language writes it ("1.234" in German, "1 234" in French).
export const num = (n, options) => (Number.isFinite(Number(n)) ? Number(n).toLocaleString(lang, options) : String(n));

const fill = (line, vars) => (vars ? line.replace(/\{(\w+)\}/g, (whole, name) =>
  (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole)) : line);

const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

function entry(key) {
  const value = own(table, key) ? table[key] : en[key];
  if (value === undefined) {
    console.error(`Handsup: no words for "${key}"`);
    return key;
  }
  return value;
}

const form = (value, rules, n) => (typeof value === 'string' ? value : (value[rules.select(n)] ?? value.other));

// The line for `key` with `{name}`s filled from `vars`.
export function t(key, vars) {
  return fill(form(entry(key), cardinal, 1), vars);
}

// Whether there are words for `key` (this language's or English): quietly, for keys made from
// what the server sends (a question kind, a setting, a problem's code).
export const has = (key) => own(table, key) || own(en, key);

// The line for `key`, or `fallback` as it is (the server's own English) when no table has one.
export function tOr(key, fallback, vars) {
  return has(key) ? t(key, vars) : fallback;
}

// The form of `key` for the count `n`, `{n}` filled with the number as this language writes it.
export function plural(n, key, vars) {
  const count = Number(n) || 0;
  return fill(form(entry(key), cardinal, count), { n: num(count), ...vars });
}

// "1st", "1.", "1er": the place `n` in a ranking.
export function ordinal(n) {
  return fill(form(entry('ordinal'), ordinals, n), { n: num(n) });
}

// Static text in the page: `data-i18n` puts the line in an element's text, `data-i18n-label`
// in its aria-label, `data-i18n-title` in its title, `data-i18n-alt` in its alt,
// `data-i18n-placeholder` in its placeholder.
// An element holding other elements (<kbd>B</kbd>, <code>) keeps them: `{0}`, `{1}` in the line
// say where its first, second… child element goes.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const line = t(el.dataset.i18n);
    const children = [...el.children];
    if (!children.length) {
      el.textContent = line;
      continue;
    }
    el.replaceChildren(...line.split(/\{(\d+)\}/).map((part, i) => (i % 2 ? children[Number(part)] || '' : part)));
  }
  for (const [data, attribute] of [['i18nLabel', 'aria-label'], ['i18nTitle', 'title'], ['i18nAlt', 'alt'],
    ['i18nPlaceholder', 'placeholder']]) {
    const attr = `data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    for (const el of root.querySelectorAll(`[${attr}]`)) el.setAttribute(attribute, t(el.dataset[data]));
  }
}
