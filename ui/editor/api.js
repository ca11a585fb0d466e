// Every request the editor makes, in one place. All of them carry the page's token.
import { t } from '../lib/i18n.js';

const token = new URLSearchParams(location.search).get('token') || '';

export const hasToken = () => !!token;
export const withToken = (path) => `${path}?token=${encodeURIComponent(token)}`;

// Resolves to { ok, status, json, text }; rejects only when the server does not answer.
export async function call(method, path, body) {
  const init = { method, cache: 'no-store', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(withToken(path), init);
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* plain-text refusals */ }
  return { ok: response.ok, status: response.status, json, text };
}

export const getDeck = () => call('GET', '/api/deck');
export const getKinds = () => call('GET', '/api/kinds');
export const checkDeck = (title, slides) => call('POST', '/api/check', { title, slides });
export const previewSlide = (form) => call('POST', '/api/preview', form);
export const putDeck = (body) => call('PUT', '/api/deck', body);

// Server messages start in lower case, to fit after a file name; here they stand alone.
export const sentence = (text) => String(text).charAt(0).toUpperCase() + String(text).slice(1);

export function errorText(result) {
  if (result.json && typeof result.json.error === 'string') return sentence(result.json.error);
  const text = (result.text || '').trim();
  return text ? sentence(text) : t('common.status', { status: result.status });
}
