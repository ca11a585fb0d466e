// The status line and the one modal question the editor asks.
import { $, setMessage } from './dom.js';

export function say(text, tone) {
  const status = $('status');
  setMessage(status, text);
  status.className = tone || '';
}

// Resolves true when the user picked `ok`; the safe answer has focus.
export function ask({ title, text, items, ok }) {
  const dialog = $('ask');
  $('ask-title').textContent = title;
  $('ask-text').textContent = text || '';
  $('ask-text').hidden = !text;
  const list = $('ask-list');
  list.textContent = '';
  for (const item of items || []) {
    const li = document.createElement('li');
    li.textContent = item;
    list.append(li);
  }
  list.hidden = !(items && items.length);
  $('ask-ok').textContent = ok;
  return new Promise((resolve) => {
    dialog.returnValue = 'cancel';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    // An Enter pressed by habit throws nothing away.
    $('ask-cancel').focus();
  });
}
