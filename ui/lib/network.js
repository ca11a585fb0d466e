// The presenter's view of how phones reach the room: the network picker, phones per address,
// the heartbeat round trips, a banner when the laptop's address changed, and what to check
// when no phone arrives. Never on the projector.
import { num, plural, t } from './i18n.js';

const KIND_NAMES = {
  wifi: t('network.wifi'), ethernet: t('network.ethernet'), hotspot: t('network.hotspot'), vpn: t('network.vpn'),
  virtual: t('network.virtual'),
};
// Phones that cannot reach the laptop usually say nothing: after this long with none, help is offered.
const NO_PHONE_HELP_AFTER_MS = 3 * 60 * 1000;

const kindName = (kind) => (Object.prototype.hasOwnProperty.call(KIND_NAMES, kind) ? KIND_NAMES[kind] : t('network.other'));
// Milliseconds and counts as they came, ungrouped ("1500 ms"), in this language's digits.
const figure = (n) => num(n, { useGrouping: false, maximumFractionDigits: 20 });

export function candidateLabel(candidate) {
  return `${kindName(candidate.kind)} · ${String(candidate.interface)} · ${String(candidate.address)}`;
}

export function createNetworkPanel({ send, helpAfterMs = NO_PHONE_HELP_AFTER_MS }) {
  const $ = (id) => document.getElementById(id);
  const panel = $('network-panel');
  const picker = $('network-choice');
  const via = $('network-via');
  const trips = $('network-trips');
  const moved = $('network-moved');
  const help = $('troubleshoot');
  let everConnected = false;
  let dismissedMove = null;

  picker.addEventListener('change', () => {
    if (picker.value) send('choose_network', { interface: picker.value });
  });
  $('troubleshoot-open').addEventListener('click', () => { help.hidden = false; help.scrollIntoView({ block: 'nearest' }); });

  // No phone for a few minutes: most often the network, not the people.
  const helpTimer = setTimeout(() => {
    if (everConnected) return;
    help.hidden = false;
    panel.open = true;
    // At the foot of the speaker's column: brought into view, or it would open unseen.
    help.scrollIntoView({ block: 'nearest' });
  }, helpAfterMs);

  function onJoin(m) {
    const candidates = Array.isArray(m.candidates) ? m.candidates : [];
    const options = candidates.map((candidate) => {
      const option = document.createElement('option');
      option.value = String(candidate.interface);
      option.textContent = candidateLabel(candidate);
      return option;
    });
    // Fixed (--bind) on an address no network here has, 127.0.0.1 say: that address, not a blank.
    if (m.fixed && !candidates.some((candidate) => String(candidate.interface) === String(m.interface))) {
      const bound = document.createElement('option');
      bound.value = '';
      bound.textContent = String(m.network || m.url || '');
      options.unshift(bound);
    } else if (!candidates.length) {
      const none = document.createElement('option');
      none.value = '';
      none.textContent = t('network.none');
      options.push(none);
    }
    picker.replaceChildren(...options);
    picker.value = m.interface ? String(m.interface) : '';
    picker.disabled = !!m.fixed || candidates.length < 2;
    $('network-fixed').hidden = !m.fixed;

    const change = m.moved && typeof m.moved === 'object' ? m.moved : null;
    const key = change ? `${change.at}` : null;
    moved.hidden = !change || key === dismissedMove;
    if (change) {
      $('network-moved-text').textContent = `${t('network.moved', { from: String(change.from), to: String(change.to) })} `;
    }
    $('network-moved-dismiss').onclick = () => { dismissedMove = key; moved.hidden = true; };
  }

  function onRoom(m) {
    const lines = (Array.isArray(m.via) ? m.via : []).map((entry) => {
      const li = document.createElement('li');
      const count = Number(entry.phones) || 0;
      li.textContent = plural(count, 'network.via', { n: figure(count), address: String(entry.address) });
      return li;
    });
    via.replaceChildren(...lines);
    via.hidden = !lines.length;
    const rt = m.round_trips && typeof m.round_trips === 'object' ? m.round_trips : null;
    trips.classList.toggle('saturated', !!(rt && rt.saturated));
    if (!rt) {
      trips.textContent = t('network.tripsWaiting');
    } else {
      const samples = Number(rt.samples);
      const figures = plural(samples, 'network.trips', {
        median: figure(Number(rt.median_ms)), p95: figure(Number(rt.p95_ms)), n: figure(samples),
      });
      trips.textContent = `${figures} ${t(rt.saturated ? 'network.saturated' : 'network.fine')}`;
    }
  }

  function onParticipants(connected) {
    if (connected > 0 && !everConnected) {
      everConnected = true;
      clearTimeout(helpTimer);
    }
  }

  return { onJoin, onRoom, onParticipants };
}
