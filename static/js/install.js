// "Add to home screen": the install button where the browser offers one
// (beforeinstallprompt), else a one-line instruction on phones. Shown until
// installed or dismissed.
import {getMeta, setMeta} from './db.js';
import {t} from './i18n.js';

let offered = null;
let shown = null;

window.addEventListener('beforeinstallprompt', (event) => {
  // Keep the browser's prompt for our button instead of its mini-infobar.
  event.preventDefault();
  offered = event;
  if (shown) {
    shown.refresh();
  }
});

function installed() {
  return window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
}

function instruction() {
  if (/iPhone|iPad|iPod/.test(navigator.userAgent)) {
    return t('To open fvfield like an app, tap Share, then “Add to Home Screen”.');
  }
  return t('To open fvfield like an app, open the browser menu and choose “Add to Home screen” or “Install app”.');
}

/** Show the hint in `notices` unless the app is installed or the hint was dismissed. */
export async function startInstallHint(notices) {
  if (installed() || await getMeta('install_hint_dismissed', false)) {
    return;
  }
  const box = document.createElement('div');
  box.className = 'notice install-hint';
  const text = document.createElement('p');
  const install = document.createElement('button');
  install.type = 'button';
  install.className = 'primary';
  install.textContent = t('Add to home screen');
  const later = document.createElement('button');
  later.type = 'button';
  later.textContent = t('Not now');
  later.className = 'link';
  box.append(text, install, later);

  const refresh = () => {
    install.hidden = !offered;
    text.textContent = offered ? t('Add fvfield to your home screen to open it like an app, even offline.') : instruction();
    box.hidden = !offered && !window.matchMedia('(pointer: coarse)').matches;
  };
  install.addEventListener('click', async () => {
    const prompt = offered;
    offered = null;
    await prompt.prompt();
    box.remove();
  });
  later.addEventListener('click', async () => {
    box.remove();
    await setMeta('install_hint_dismissed', true);
  });
  window.addEventListener('appinstalled', () => box.remove());
  shown = {refresh};
  refresh();
  notices.append(box);
}
