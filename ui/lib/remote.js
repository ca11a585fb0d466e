// The presenter's phone as a remote: its QR code (with a secret of its own, never the presenter
// token), how many phones are paired, and revoking them. The presenter view only: the projector's
// socket is never sent the code.
import { plural, t } from './i18n.js';

export function createRemotePanel({ send }) {
  const $ = (id) => document.getElementById(id);
  const panel = $('remote-panel');
  let url = '';

  $('remote-revoke').addEventListener('click', () => {
    send('revoke_remote');
    $('remote-status').textContent = t('remote.revoked');
  });
  $('remote-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url);
      $('remote-status').textContent = t('remote.copied');
    } catch (_) {
      $('remote-status').textContent = url;
    }
  });

  function onRemote(m) {
    panel.hidden = false;
    url = String(m.url || '');
    if (m.qr_svg) $('remote-qr').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(m.qr_svg);
    const paired = Number(m.paired) || 0;
    $('remote-paired').textContent = paired === 0 ? t('remote.none') : plural(paired, 'remote.paired');
    $('remote-revoke').disabled = false;
  }

  return { onRemote };
}
