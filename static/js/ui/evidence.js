// A visit's photos on screen: the photo itself while the phone has it, its thumbnail once the
// server has it (marked as such), or a tile saying the server holds a photo this phone never had.

import { t } from "../i18n.js";
import { h } from "./dom.js";

// Object URLs of photos (the full photo, else its thumbnail), revoked when `signal` aborts.
export function photoUrls(signal) {
  const urls = new Map();
  signal.addEventListener("abort", () => urls.forEach((url) => URL.revokeObjectURL(url)));
  return (photo) => {
    if (!urls.has(photo.uuid)) urls.set(photo.uuid, URL.createObjectURL(photo.blob || photo.thumb));
    return urls.get(photo.uuid);
  };
}

// One photo as a tile; `action` (optional) sits on its corner.
export function thumb(photo, photoUrl, action = null) {
  const source = photo.blob || photo.thumb;
  const onServer = Boolean(photo.sent_at);
  const picture = source
    ? h("img", { src: photoUrl(photo), alt: onServer ? t("item.photo-on-server") : t("item.photo-alt"), width: 88, height: 88 })
    : h("span", { class: "on-server", role: "img", "aria-label": t("item.photo-on-server") }, t("item.photo-on-server"));
  return h("figure", { class: `thumb ${source ? "" : "remote"}`, dataset: { photo: photo.uuid, onServer: onServer ? "1" : "0" } },
    picture,
    source && onServer ? h("figcaption", { class: "sent-mark", "aria-hidden": "true" }, t("item.photo-sent")) : null,
    action);
}
