// A form in the member's language: the phone's side of
// fvfield/questionnaires/translations.py (read its docstring for the shape).
// The plain texts are the form's default language; a text a translation
// lacks shows in it. Only the words change: values, and so records, do not.

import { language } from "../i18n.js";

const TEXTS = ["label", "hint", "constraint_message", "required_message"];

function primary(code) {
  return String(code).split(/[-_]/)[0].toLowerCase();
}

/** Every question of a list, those of its sections and repeats included. */
function everyField(fields) {
  return (fields || []).flatMap((field) => [field, ...(Array.isArray(field.fields) ? everyField(field.fields) : [])]);
}

/** Return the form's languages: its default first (when it names one), then each translated one. */
export function languagesOf(definition) {
  const found = definition.default_language ? [definition.default_language] : [];
  for (const table of [definition.translations, ...everyField(definition.fields).map((f) => f.translations)]) {
    for (const code of Object.keys(table || {})) if (!found.includes(code)) found.push(code);
  }
  return found;
}

/** Return which translation to show for a language code ("bn", "en_GB"); null: the plain texts. */
export function bestLanguage(definition, wanted) {
  if (!wanted) return null;
  const languages = languagesOf(definition);
  const found = languages.find((code) => code.toLowerCase() === String(wanted).toLowerCase())
    || languages.find((code) => primary(code) === primary(wanted));
  return found && found !== definition.default_language ? found : null;
}

function translatedField(field, code) {
  const words = field.translations?.[code];
  const inside = Array.isArray(field.fields) ? field.fields.map((f) => translatedField(f, code)) : null;
  if (!words && !inside) return field;
  const copy = inside ? { ...field, fields: inside } : { ...field };
  if (!words) return copy;
  for (const key of TEXTS) if (words[key]) copy[key] = words[key];
  if (words.choices && Array.isArray(field.choices)) {
    copy.choices = field.choices.map((choice) => ({ ...choice, label: words.choices[choice.value] || choice.label }));
  }
  if (words.labels) copy.labels = words.labels;
  return copy;
}

/** Return a definition with its texts in `code` (the phone's language by default), else as it is. */
export function inLanguage(definition, code = language().code) {
  if (!definition || !Array.isArray(definition.fields)) return definition;
  const chosen = bestLanguage(definition, code);
  if (!chosen) return definition;
  return {
    ...definition,
    title: definition.translations?.[chosen]?.title || definition.title,
    fields: definition.fields.map((field) => translatedField(field, chosen)),
  };
}
