// The presenter's own blocked words (beside the built-in lists and the deck's `blocklist:`):
// read and written through the loopback API; saving puts the deck on screen again with them,
// so the cloud's counts and the walls' masks follow at once.
import { num, plural, t } from './lib/i18n.js';

const api = (token) => `/api/blocklist?token=${encodeURIComponent(token)}`;

export function createBlocklist({ token, say }) {
  const box = document.getElementById('blocklist');
  const field = document.getElementById('blocklist-words');
  const status = document.getElementById('blocklist-status');
  if (!box || !field) return;
  box.hidden = false;

  async function load() {
    try {
      const reply = await fetch(api(token));
      const body = await reply.json();
      field.value = (body.words || []).join(', ');
    } catch (_) {
      status.textContent = t('blocklist.readError');
    }
  }

  document.getElementById('blocklist-save').addEventListener('click', async () => {
    const words = field.value.split(/[,\n]/).map((w) => w.trim()).filter(Boolean);
    status.textContent = t('blocklist.saving');
    try {
      const reply = await fetch(api(token), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ words }),
      });
      const body = await reply.json().catch(() => ({}));
      if (!reply.ok) throw new Error(body.error || t('blocklist.serverStatus', { status: reply.status }));
      const count = words.length;
      status.textContent = plural(count, 'blocklist.saved', { n: num(count, { useGrouping: false }) });
    } catch (err) {
      status.textContent = t('blocklist.notSaved', { error: err.message });
      say(t('blocklist.notSavedSay', { error: err.message }));
    }
  });
  load();
}
