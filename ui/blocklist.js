// The presenter's own blocked words (beside the built-in lists and the deck's `blocklist:`):
// read and written through the loopback API; saving puts the deck on screen again with them,
// so the cloud's counts and the walls' masks follow at once.

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
      status.textContent = 'Could not read the list.';
    }
  }

  document.getElementById('blocklist-save').addEventListener('click', async () => {
    const words = field.value.split(/[,\n]/).map((w) => w.trim()).filter(Boolean);
    status.textContent = 'Saving…';
    try {
      const reply = await fetch(api(token), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ words }),
      });
      const body = await reply.json().catch(() => ({}));
      if (!reply.ok) throw new Error(body.error || `the server answered ${reply.status}`);
      status.textContent = `Saved: ${words.length} ${words.length === 1 ? 'word' : 'words'}. The slides reload with it.`;
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
      say(`Blocked words not saved: ${err.message}`);
    }
  });
  load();
}
