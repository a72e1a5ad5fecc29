// The service worker's registration and the update prompt. A new version
// waits until the person presses Reload; before the page reloads, the open
// screen saves its draft (window event 'fv:save-drafts'). The worker is
// never told to skip waiting behind the person's back.
import {Workbox} from '/static/vendor/workbox-7.4.1/workbox-window.prod.mjs';
import {EVENT_SAVE_DRAFTS} from './constants.js';
import {t} from './i18n.js';

const DRAFT_WAIT_MS = 5000;

/**
 * Ask every open screen to save its draft: listeners call
 * event.detail.waitUntil(promise). Resolve when all are saved (or after 5 s).
 */
export async function saveDrafts() {
  const pending = [];
  window.dispatchEvent(new CustomEvent(EVENT_SAVE_DRAFTS, {
    detail: {waitUntil: (promise) => pending.push(Promise.resolve(promise))},
  }));
  const timeout = new Promise((resolve) => setTimeout(resolve, DRAFT_WAIT_MS));
  await Promise.race([Promise.allSettled(pending), timeout]);
}

function showPrompt(notices, workbox) {
  if (notices.querySelector('.update-prompt')) {
    return;
  }
  const box = document.createElement('div');
  box.className = 'notice update-prompt';
  box.setAttribute('role', 'alert');
  const text = document.createElement('p');
  text.textContent = t('A new version is ready.');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'primary';
  button.textContent = t('Reload');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('Saving your draft…');
    await saveDrafts();
    workbox.addEventListener('controlling', () => window.location.reload());
    workbox.messageSkipWaiting();
  });
  box.append(text, button);
  notices.prepend(box);
}

/** Register /sw.js (scope /) and show the update prompt in `notices` when one waits. */
export function registerServiceWorker(notices) {
  if (!('serviceWorker' in navigator)) {
    return null;
  }
  const workbox = new Workbox('/sw.js', {scope: '/'});
  workbox.addEventListener('waiting', () => showPrompt(notices, workbox));
  workbox.register().catch((error) => console.error('fvfield: the service worker did not register', error));
  return workbox;
}
