// The phone's language menu: every language offered, each in its own words.
// A choice works offline; it reaches the account at the next connection.
import {LANGUAGES} from '/field/registry.js';
import {language, t} from '../i18n.js';
import {chooseLanguage} from '../language.js';
import {backLink, h, replace} from './common.js';

export const NAME = 'language';

/** Show the languages as big buttons; the current one is pressed. */
export async function render(view) {
  view.title(t('Language'));
  const current = language().code;
  const buttons = LANGUAGES.map((choice) => {
    const button = h('button', {
      type: 'button',
      class: choice.code === current ? 'row-button primary' : 'row-button',
      lang: choice.tag,
      dir: choice.dir,
      'aria-pressed': choice.code === current ? 'true' : 'false',
    }, choice.name);
    button.addEventListener('click', async () => {
      await chooseLanguage(choice.code, {online: navigator.onLine});
      // The screens, the menu and the status bar are rebuilt in the new words.
      window.location.reload();
    });
    return h('li', {}, button);
  });
  replace(view.root,
    backLink('#/', t('Home')),
    h('h1', {tabindex: '-1'}, t('Language')),
    h('p', {class: 'lead'}, t('Choose the language for fvfield on this phone. It is kept when you log out.')),
    h('ul', {class: 'rows language-choices'}, buttons));
}
