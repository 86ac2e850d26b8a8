// Images and files a signer gives: photos shrunk in the browser before they travel (a
// request carries at most 2 MiB of JSON, the service keeps a value of at most 1 MiB), and
// the address the service stores a value under, so that a value already saved is sent
// back as that address rather than again in full.

const MAX_SIDE = 1600;
// Well below the service's limit: several values may travel in one request.
export const IMAGE_BUDGET = 600 * 1024;

export class ImageProblem extends Error {
  constructor(key) {
    super(key);
    this.key = key;
  }
}

export function dataUrlBytes(url) {
  const comma = url.indexOf(",");
  const binary = atob(url.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function dataUrlSize(url) {
  const base64 = url.length - url.indexOf(",") - 1;
  return Math.floor((base64 * 3) / 4);
}

// What the service reads the content as (values.py sniff_image).
export function kindOf(bytes) {
  const starts = (...values) => values.every((value, index) => bytes[index] === value);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.slice(8, 12)) === "WEBP") return "webp";
  const head = String.fromCharCode(...bytes.slice(0, 1024));
  if (head.includes("%PDF-")) return "pdf";
  return null;
}

// The value the service keeps for an image it has stored (signer.py: its SHA-256 under
// the submission), or null where the browser cannot hash (not a secure context).
export async function storedValue(submissionId, url) {
  if (!globalThis.crypto?.subtle) return null;
  const bytes = dataUrlBytes(url);
  const kind = kindOf(bytes);
  if (!kind) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return { file: `submissions/${submissionId}/values/${hex}.${kind}`, kind };
}

function readAsDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new ImageProblem("unreadable"));
    reader.readAsDataURL(blob);
  });
}

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new ImageProblem("unreadable");
  }
}

function hasTransparency(context, width, height) {
  const { data } = context.getImageData(0, 0, width, height);
  for (let index = 3; index < data.length; index += 16) if (data[index] < 250) return true;
  return false;
}

// A photo or a scan as a data URL small enough to send: at most 1600 px on its longest
// side, PNG when it has transparency (a stamp), else JPEG, smaller until it fits.
export async function shrinkImage(file, budget = IMAGE_BUDGET) {
  const bitmap = await decode(file);
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let transparent = null;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    if (transparent === null) {
      transparent = file.type === "image/png" && hasTransparency(context, canvas.width, canvas.height);
    }
    let url;
    if (transparent) {
      url = canvas.toDataURL("image/png");
    } else {
      url = canvas.toDataURL("image/jpeg", attempt < 2 ? 0.85 : 0.75);
    }
    if (dataUrlSize(url) <= budget) {
      bitmap.close?.();
      return url;
    }
    scale *= 0.75;
  }
  bitmap.close?.();
  throw new ImageProblem("imageTooLarge");
}

// A file field's value: an image shrunk as above, a PDF as it is when small enough.
export async function fileValue(file, maxBytes) {
  if (file.type.startsWith("image/")) return shrinkImage(file);
  const url = await readAsDataUrl(file);
  const kind = kindOf(dataUrlBytes(url).slice(0, 1024));
  if (kind !== "pdf") throw new ImageProblem("fileType");
  if (file.size > maxBytes) throw new ImageProblem("fileTooLarge");
  return url.replace(/^data:[^;,]*/, "data:application/pdf");
}
