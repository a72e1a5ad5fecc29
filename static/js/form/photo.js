// A photo question: the camera's picture is made smaller on the phone (a
// market roof gives a poor signal; 12-megapixel photos would never upload),
// named by its sha256 and kept as a blob in the `photos` store until sync.js
// uploads it (before the record that refers to it). The answer is the
// reference {sha256, content_type, size}.

import { STORE_PHOTOS } from "../constants.js";
import { get, put } from "../db.js";
import { h, replace } from "./dom.js";
import { formatNumber, t } from "../i18n.js";

export const MAX_SIDE = 1600;
const QUALITY = 0.82;
const KEPT_AS_IS = ["image/jpeg", "image/png", "image/webp"];

/** Return the lower-case hex sha256 of a blob's bytes. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Keep a blob in the `photos` store until it is uploaded (sync.js reads
 * blob and content_type, and notes each team it reached in uploaded_to).
 * Resolve the answer a photo question takes: {sha256, content_type, size}.
 */
export async function savePhoto(blob) {
  const sha256 = await sha256Hex(blob);
  const contentType = blob.type || "image/jpeg";
  if (!(await get(STORE_PHOTOS, sha256))) {
    await put(STORE_PHOTOS, {
      sha256, blob, content_type: contentType, size: blob.size, uploaded: false, uploaded_to: [],
      saved_at: new Date().toISOString(),
    });
  }
  return { sha256, content_type: contentType, size: blob.size };
}

/**
 * Return a URL that shows a photo answer: this phone's copy when it has one,
 * else the server's. Revoke "blob:" URLs when they are no longer shown.
 */
export async function photoURL(team, answer) {
  const local = await get(STORE_PHOTOS, answer.sha256);
  if (local && local.blob) return URL.createObjectURL(local.blob);
  return team ? `/api/v1/teams/${encodeURIComponent(team)}/attachments/${answer.sha256}` : null;
}

/** Return the width and height that fit within MAX_SIDE, keeping the shape. */
export function fitted(width, height, side = MAX_SIDE) {
  const scale = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file) {
  if ("createImageBitmap" in self) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      // Some browsers refuse the options object; try once more without it.
    }
    return createImageBitmap(file);
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function encode(canvas) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error(t("The photo could not be made smaller.")))),
    "image/jpeg", QUALITY,
  ));
}

/** Return a JPEG blob of the picture at most MAX_SIDE pixels on its longest side. */
export async function downscale(file) {
  const picture = await decode(file);
  const { width, height } = fitted(picture.width, picture.height);
  const canvas = "OffscreenCanvas" in self
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement("canvas"), { width, height });
  const context = canvas.getContext("2d");
  // JPEG has no transparency: a white page under a PNG's clear parts.
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.drawImage(picture, 0, 0, width, height);
  if (picture.close) picture.close();
  return encode(canvas);
}

/**
 * Keep a picture on this phone: a downscaled JPEG, or the file itself when
 * the phone cannot decode it but the server accepts its type. Resolve its answer.
 */
export async function keepPhoto(file) {
  let blob;
  try {
    blob = await downscale(file);
  } catch (error) {
    if (!KEPT_AS_IS.includes(file.type)) {
      throw new Error(t("This picture's format cannot be used. Take the photo with the camera instead."),
        { cause: error });
    }
    blob = file;
  }
  return savePhoto(blob);
}

function sizeText(bytes) {
  return bytes >= 1024 * 1024
    ? `${formatNumber(bytes / 1024 / 1024, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`
    : `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** Build the widget of a photo question (see render.js for the contract). */
export function photoWidget(field, ids, emit, { team } = {}) {
  let answer = null;
  let shownUrl = null;
  const input = h("input", {
    type: "file", id: ids.input, class: "file-input", accept: "image/*", capture: "environment",
    "aria-describedby": `${ids.input}-status`,
  });
  const pick = h("label", { class: "button primary file-button", for: ids.input }, t("Take a photo"));
  const preview = h("img", { class: "photo-preview", alt: "", hidden: true });
  const status = h("p", { class: "photo-status", id: `${ids.input}-status`, role: "status" }, t("No photo yet."));
  const remove = h("button", { type: "button", class: "link clear", hidden: true }, t("Remove photo"));

  const show = async () => {
    if (shownUrl && shownUrl.startsWith("blob:")) URL.revokeObjectURL(shownUrl);
    shownUrl = null;
    pick.textContent = answer ? t("Take it again") : t("Take a photo");
    remove.hidden = !answer;
    if (!answer) {
      preview.hidden = true;
      replace(status, t("No photo yet."));
      return;
    }
    replace(status, t("Photo kept on this phone ({size}).", { size: sizeText(answer.size) }));
    shownUrl = await photoURL(team, answer).catch(() => null);
    preview.hidden = !shownUrl;
    if (shownUrl) {
      preview.src = shownUrl;
      preview.alt = t("The photo for: {question}", { question: field.label });
    }
  };
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    replace(status, t("Making the photo smaller…"));
    try {
      answer = await keepPhoto(file);
      emit(answer);
    } catch (error) {
      replace(status, error.message || t("The photo could not be kept. Try again."));
      return;
    } finally {
      input.value = "";
    }
    await show();
  });
  remove.addEventListener("click", () => {
    answer = null;
    emit(null);
    show();
    input.focus();
  });
  return {
    body: [h("div", { class: "photo" }, preview, h("div", { class: "photo-actions" }, input, pick), status), remove],
    set(value) {
      answer = value && typeof value === "object" && value.sha256 ? value : null;
      show();
    },
    focus: () => input.focus(),
  };
}
