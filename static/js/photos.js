// Photos: downscaled on the phone (long side at most 1600 px, JPEG, orientation applied),
// fingerprinted with SHA-256 and stored as Blobs in IndexedDB with the time they were taken,
// each with a thumbnail (160 px) that stays on the phone once the server has the photo.

import * as db from "./db.js";
import { isoLocal } from "./clock.js";

const MAX_SIDE = 1600;
const QUALITY = 0.85;
const THUMB_SIDE = 160;

export async function downscale(file, maxSide = MAX_SIDE) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const ratio = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * ratio);
  const height = Math.round(bitmap.height * ratio);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  return { blob, width, height };
}

export async function thumbnail(blob) {
  return (await downscale(blob, THUMB_SIDE)).blob;
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function add(visit, itemId, file) {
  const takenAt = isoLocal();
  const { blob, width, height } = await downscale(file);
  const photo = {
    uuid: crypto.randomUUID(),
    visit_uuid: visit.uuid,
    item_id: itemId,
    taken_at: takenAt,
    content_type: "image/jpeg",
    sha256: await sha256(blob),
    width,
    height,
    blob,
    thumb: await thumbnail(blob),
    sent_at: null,
  };
  await db.put("photos", photo);
  return photo;
}

export function remove(photo) {
  return db.remove("photos", photo.uuid);
}
