// Leaving a shared phone: log out of the server, then wipe this user's data
// (IndexedDB and the photo cache). Refused while anything waits to sync;
// the person can sync now, or save the waiting changes to a file that a
// coordinator imports on the web (format in docs/field-app.md).
import {ApiError, request} from './api.js';
import {EXPORT_FORMAT, EXPORT_VERSION, PHOTO_CACHE, STORE_PHOTOS} from './constants.js';
import {deleteDatabase, deviceId, get, getMeta} from './db.js';
import {SAVED_TO_FILE, listOutbox} from './outbox.js';
import {refreshToken} from './session.js';
import {photoAnswers} from './sync.js';
import {t, tn} from './i18n.js';

export const LOGIN_PAGE = '/login';

/** Delete everything of this user on this phone: the database and the photo cache. */
export async function wipeDevice() {
  await deleteDatabase();
  if ('caches' in self) {
    await caches.delete(PHOTO_CACHE);
  }
}

// The redirect is not followed, so the login page we then open shows its
// "You are logged out." message.
async function postLogout() {
  try {
    await request('POST', '/logout', {redirect: 'manual'});
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'csrf_failed')) {
      throw error;
    }
    await refreshToken();
    await request('POST', '/logout', {redirect: 'manual'});
  }
}

/**
 * Log out and wipe, or refuse: resolve {loggedOut: false, waiting, message}
 * while changes wait or the server cannot be reached (it must forget this
 * phone's session, or the next person would still be logged in).
 */
export async function logOut({navigate = true} = {}) {
  // Changes of a team the person was removed from were saved to a file: they no longer hold logout back.
  const waiting = (await listOutbox()).filter((item) => item.state !== SAVED_TO_FILE).length;
  if (waiting) {
    return {
      loggedOut: false,
      waiting,
      message: waiting === 1
        ? t('One record has not reached the server yet. '
          + 'Sync now, or save a copy to a file, before you log out: logging out deletes everything on this phone.')
        : tn('{count} record has not reached the server yet. '
          + 'Sync now, or save a copy to a file, before you log out: logging out deletes everything on this phone.',
        '{count} records have not reached the server yet. '
          + 'Sync now, or save a copy to a file, before you log out: logging out deletes everything on this phone.',
        waiting),
    };
  }
  try {
    await postLogout();
  } catch (error) {
    return {
      loggedOut: false,
      waiting: 0,
      message: t('Logging out needs a connection, so the server forgets this phone. Try again when you are online.'),
    };
  }
  await wipeDevice();
  if (navigate) {
    window.location.assign(LOGIN_PAGE);
  }
  return {loggedOut: true, waiting: 0, message: ''};
}

/**
 * End the server session but keep this phone's data: the way out when the
 * phone holds another person's unsent records (they log in to send them).
 */
export async function logOutOfServer() {
  try {
    await postLogout();
  } finally {
    window.location.assign(LOGIN_PAGE);
  }
}

function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Return every change not yet on the server (of one team, if given), with its photos, in the export format. */
export async function exportOutbox({team: only} = {}) {
  const teams = {};
  for (const item of await listOutbox({team: only})) {
    const team = teams[item.team] || (teams[item.team] = {changes: [], attachments: []});
    team.changes.push(item.change);
    for (const {sha256} of photoAnswers(item.change)) {
      if (team.attachments.some((attachment) => attachment.sha256 === sha256)) {
        continue;
      }
      const photo = await get(STORE_PHOTOS, sha256);
      if (photo) {
        team.attachments.push({
          sha256, content_type: photo.content_type, data_base64: await base64(photo.blob),
        });
      }
    }
  }
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    device_id: await deviceId(),
    user: await getMeta('user', null),
    exported_at: new Date().toISOString(),
    teams,
  };
}

/** Download the waiting changes (of one team, if given) as a JSON file; resolve with its name. */
export async function saveOutboxFile({team} = {}) {
  const data = await exportOutbox({team});
  const who = (data.user && data.user.email ? data.user.email.split('@')[0] : 'phone').replace(/[^a-z0-9-]+/gi, '-');
  const name = `fvfield-outbox-${who}-${data.exported_at.slice(0, 19).replace(/[:T]/g, '-')}.json`;
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], {type: 'application/json'}));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
