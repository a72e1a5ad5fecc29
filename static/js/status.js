// The status bar, always visible: online or not, how many records wait,
// when the phone last synced, and whether it is syncing now. Its text is a
// polite live region, so a screen reader hears "Syncing…" and "3 waiting".
import {EVENT_SYNC_STATE} from './constants.js';
import {locale, t, tn} from './i18n.js';

/** Return "10:42" for today, else "24 Nov 10:42", in the phone's time zone. */
export function syncedAt(iso, now = new Date()) {
  const when = new Date(iso);
  const time = when.toLocaleTimeString(locale(), {hour: '2-digit', minute: '2-digit'});
  if (when.toDateString() === now.toDateString()) {
    return time;
  }
  return `${when.toLocaleDateString(locale(), {day: 'numeric', month: 'short'})} ${time}`;
}

/** Return the parts of the status line for a sync state. */
export function describe(state) {
  const parts = [];
  parts.push(state.online ? t('Online') : t('Offline'));
  if (state.state === 'syncing') {
    parts.push(t('Syncing…'));
  }
  parts.push(state.waiting ? tn('{count} waiting', '{count} waiting', state.waiting) : t('Nothing waiting'));
  if (state.needsAttention) {
    parts.push(tn('{count} needs attention', '{count} need attention', state.needsAttention));
  }
  parts.push(state.lastSync ? t('Last synced {when}', {when: syncedAt(state.lastSync)}) : t('Never synced'));
  return parts;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Draw the status bar into `root` and keep it current; `engine.run` backs "Sync now". */
export function startStatusBar(root, engine) {
  root.replaceChildren();
  const line = element('p', 'status-line');
  line.setAttribute('role', 'status');
  line.setAttribute('aria-live', 'polite');
  const dot = element('span', 'status-dot');
  dot.setAttribute('aria-hidden', 'true');
  const text = element('span', 'status-text');
  line.append(dot, text);
  const button = element('button', 'status-sync', t('Sync now'));
  button.type = 'button';
  button.addEventListener('click', () => engine.run('sync-now'));
  const message = element('p', 'status-message');
  root.append(line, button, message);

  function render(state) {
    root.dataset.state = state.state;
    root.dataset.online = String(state.online);
    text.textContent = describe(state).join(' · ');
    button.disabled = state.state === 'syncing';
    message.textContent = state.message || '';
    message.hidden = !state.message;
  }

  render(engine.state);
  window.addEventListener(EVENT_SYNC_STATE, (event) => render(event.detail));
  // The connection can come and go between two syncs.
  for (const name of ['online', 'offline']) {
    window.addEventListener(name, () => render({...engine.state, online: navigator.onLine}));
  }
  return render;
}
