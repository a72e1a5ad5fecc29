// Copy an invite link in one tap. Without this module the link still sits in a
// read-only field that can be selected and copied by hand: the button only
// appears once there is code to make it work.
import {t} from './i18n.js';

async function copyText(input) {
  // The Clipboard API needs a secure context (HTTPS or localhost):
  // https://developer.mozilla.org/en-US/docs/Web/API/Clipboard_API
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(input.value);
    return true;
  }
  input.select();
  return document.execCommand('copy');
}

function enhance(box) {
  const input = box.querySelector('input');
  const button = box.querySelector('[data-copy]');
  const status = box.querySelector('[data-copy-status]');
  input.addEventListener('focus', () => input.select());
  button.hidden = false;
  button.addEventListener('click', async () => {
    let copied;
    try {
      copied = await copyText(input);
    } catch {
      copied = false;
    }
    if (!copied) {
      input.focus();
      input.select();
    }
    status.textContent = copied
      ? t('Link copied. Paste it into a message to the person you are inviting.')
      : t("The link is selected: copy it with your device's Copy command.");
  });
}

document.querySelectorAll('[data-copy-link]').forEach(enhance);
