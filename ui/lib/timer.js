// Countdown text (m:ss) from a deadline on the server's clock.
import { t } from './i18n.js';

// The server sends its epoch ms on connect; the difference to ours is the offset,
// so a laptop clock that is off by minutes still counts down the right seconds.
export function clockOffset(serverNow, localNow = Date.now()) {
  return Number.isFinite(serverNow) ? serverNow - localNow : 0;
}

// Milliseconds left until `deadline` (server epoch ms), never negative; null without a deadline.
export function msLeft(deadline, offset, localNow = Date.now()) {
  if (!Number.isFinite(deadline)) return null;
  return Math.max(0, deadline - (localNow + (Number.isFinite(offset) ? offset : 0)));
}

// m:ss for a number of whole seconds ("1:05", "61:00").
export function durationText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// Rounded up, so "0:01" shows until the time is really over and "0:00" never lingers.
export function countdownText(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms <= 0) return t('timer.up');
  return durationText(Math.ceil(ms / 1000));
}
