// Start-up: feature checks, the service worker, the session, the sync
// engine, then the screens (router.js). Whatever stops the app from keeping
// records safely is said on the first screen, before anyone types.
import {EVENT_SESSION} from './constants.js';
import {databaseAvailable, requestPersistence} from './db.js';
import {startInstallHint} from './install.js';
import {logOutOfServer, saveOutboxFile} from './logout.js';
import {LOGIN_URL, loadSession} from './session.js';
import {startStatusBar} from './status.js';
import {syncEngine} from './sync.js';
import {registerServiceWorker} from './update.js';
import {t, tn} from './i18n.js';
import {settleLanguage} from './language.js';

const main = document.getElementById('main');
const notices = document.getElementById('notices');
const statusBar = document.getElementById('status-bar');

function element(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) {
    node.className = className;
  }
  return node;
}

function button(text, onClick, className = '') {
  const node = element('button', text, className);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

function link(text, href, className = 'button primary') {
  const node = element('a', text, className);
  node.href = href;
  return node;
}

/** Replace the screen with a problem: a heading, what to do, and actions. */
function showProblem(title, text, ...actions) {
  const box = element('section', '', 'app-problem');
  box.append(element('h1', title), element('p', text));
  if (actions.length) {
    const row = element('div', '', 'actions');
    row.append(...actions);
    box.append(row);
  }
  main.replaceChildren(box);
  document.documentElement.dataset.app = 'problem';
}

function showBlocked({previousUser, user, waiting}) {
  showProblem(
    t('This phone holds someone else’s records'),
    tn(
      '{previous} left one record on this phone that has not reached the server yet.',
      '{previous} left {count} records on this phone that have not reached the server yet.',
      waiting, {previous: previousUser.name},
    ) + ' ' + t('So that nothing is lost, {user} can use this phone once they are sent: '
      + '{previous} logs in here and syncs, or saves a copy to a file for the coordinator.',
    {user: user.name, previous: previousUser.name}),
    button(t('Save a copy to a file'), () => saveOutboxFile(), 'primary'),
    button(t('Log out'), () => logOutOfServer()),
  );
}

function showLoginAgain() {
  if (notices.querySelector('.login-again')) {
    return;
  }
  const box = element('div', '', 'notice login-again');
  box.setAttribute('role', 'alert');
  box.append(
    element('p', t('Your session has ended. Log in again to sync; nothing on this phone is lost.')),
    link(t('Log in again'), LOGIN_URL),
  );
  notices.prepend(box);
}

/**
 * Browsers give service workers, and with them offline use, to secure
 * origins only (https, or localhost):
 * https://w3c.github.io/webappsec-secure-contexts/
 */
function showInsecureOrigin() {
  showProblem(
    t('fvfield needs a secure (https) address'),
    t('This phone opened fvfield at {address}, which is not a secure address, so '
      + 'the browser will not let fvfield work without a connection or keep records safely. '
      + 'Ask whoever runs the server for its https:// address. If that is you: put an HTTPS proxy '
      + 'in front of fvfield serve, as docs/deploying.md says under “Try it on a phone today”.',
    {address: window.location.origin}),
  );
}

async function start() {
  if (!window.isSecureContext) {
    showInsecureOrigin();
    return;
  }
  if (!(await databaseAvailable())) {
    showProblem(
      t('This browser cannot keep records'),
      t('fvfield keeps your records on this phone until they reach the server, and this browser '
        + 'does not allow it here (a private or incognito window does this). Open fvfield in a '
        + 'normal window before you start recording.'),
    );
    return;
  }
  const workbox = registerServiceWorker(notices);
  if (!workbox) {
    notices.append(element('p', t('This browser cannot open fvfield without a connection. '
      + 'Records you save are still kept on this phone.'), 'notice'));
  }
  const session = await loadSession();
  if (session.blocked) {
    showBlocked(session.blocked);
    return;
  }
  if (!session.user) {
    if (session.loginNeeded) {
      window.location.assign(LOGIN_URL);
      return;
    }
    showProblem(
      t('Connect once to start'),
      t('fvfield needs a connection the first time, to log you in and fetch your team’s people, '
        + 'markets and forms. After that it works without one.'),
      link(t('Log in'), LOGIN_URL),
    );
    return;
  }
  window.addEventListener(EVENT_SESSION, (event) => {
    if (event.detail.loginNeeded) {
      showLoginAgain();
    }
  });
  if (session.loginNeeded) {
    showLoginAgain();
  }
  if (session.source === 'server') {
    requestPersistence().catch(() => false);
    // The account's language (chosen on the web) or this phone's unsent choice.
    await settleLanguage(session.user).catch((error) => console.warn('fvfield: language', error));
  }
  // Counts first: the bar must never say "Nothing waiting" before it knows.
  await syncEngine.publish({state: navigator.onLine ? 'idle' : 'offline'});
  startStatusBar(statusBar, syncEngine);
  startInstallHint(notices);
  syncEngine.start();
  try {
    const {startRouter} = await import('./router.js');
    await startRouter(main, {session, syncEngine, workbox, notices});
  } catch (error) {
    console.error('fvfield: the screens did not open', error);
    showProblem(t('The screens could not open'), t('Reload the page. Your saved records are safe on this phone.'));
    return;
  }
  document.documentElement.dataset.app = 'ready';
}

start();
