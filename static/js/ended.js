// A person removed from a team (the server answers push or pull with 403
// membership_ended): their unsent records of that team are saved to a copy
// file (the same format as "Save a copy to a file"), the team's documents
// leave this phone, and the person is told in plain words. The unsent
// changes stay in the outbox, marked as saved to a file and never pushed
// again, until logout wipes the phone: a download that did not happen can be
// repeated from the sync screen (docs/field-app.md, "Removed from a team").
import {STORE_DRAFTS, STORE_FORMS, STORE_META, STORE_OUTBOX, STORE_RECORDS, STORE_SUBJECTS, STORE_TEAMS}
  from './constants.js';
import {get, promised, tx} from './db.js';
import {saveOutboxFile} from './logout.js';
import {SAVED_TO_FILE, listOutbox} from './outbox.js';
import {t, tn} from './i18n.js';

export const MEMBERSHIP_ENDED = 'membership_ended';

/** Mark a team's unsent changes as saved to a file and delete its documents; resolve with how many. */
async function forgetEndedTeam(slug) {
  const stores = [STORE_TEAMS, STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS, STORE_OUTBOX, STORE_DRAFTS, STORE_META];
  return tx(stores, 'readwrite', async (s) => {
    const items = await promised(s[STORE_OUTBOX].index('by_team').getAll(slug));
    for (const item of items) {
      await promised(s[STORE_OUTBOX].put({...item, state: SAVED_TO_FILE}));
    }
    const range = IDBKeyRange.bound([slug], [slug, []]);
    for (const name of [STORE_FORMS, STORE_SUBJECTS, STORE_RECORDS]) {
      await promised(s[name].delete(range));
    }
    for (const key of await promised(s[STORE_DRAFTS].getAllKeys())) {
      if (String(key).startsWith(`draft|${slug}|`)) {
        await promised(s[STORE_DRAFTS].delete(key));
      }
    }
    await promised(s[STORE_TEAMS].delete(slug));
    await promised(s[STORE_META].delete(`cursor:${slug}`));
    return items.length;
  });
}

/** Save the team's unsent records to a file, forget the team; resolve with what to tell the person. */
export async function membershipEnded(slug) {
  const team = await get(STORE_TEAMS, slug);
  const waiting = (await listOutbox({team: slug})).filter((item) => item.state !== SAVED_TO_FILE).length;
  const file = waiting ? await saveOutboxFile({team: slug}) : null;
  await forgetEndedTeam(slug);
  const words = t('You are no longer a member of {team}, so its data is removed from this phone.', {team: team ? team.name : slug});
  if (!file) {
    return words;
  }
  const saved = waiting === 1
    ? t('Its one unsent record was saved to {file} in the phone’s downloads: give the file to a coordinator.', {file})
    : tn('Its {count} unsent record was saved to {file} in the phone’s downloads: give the file to a coordinator.',
      'Its {count} unsent records were saved to {file} in the phone’s downloads: give the file to a coordinator.',
      waiting, {file});
  return `${words} ${saved}`;
}
