// `node scripts/installers/make-icon.mjs [SIZE] [OUT]` — draws the app icon (a teal Cyrillic «Р»
// on a white disc on a teal rounded square: not a white P on blue, which reads as a parking
// sign) and writes it as a PNG, by default build/icon.png at 1024 px:
// electron-builder makes the Windows .ico, the macOS .icns and the Linux icon set from it.
// Plain Node (zlib only), so the icon can be redrawn anywhere without image tools.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TEAL = [14, 116, 120];
const WHITE = [255, 255, 255];

const inRect = (x, y, left, top, right, bottom) => x >= left && x <= right && y >= top && y <= bottom;
const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

/** Whether a point of the unit square is inside the rounded background. */
function inBackground(x, y) {
  const inset = 0.06;
  const radius = 0.2;
  const left = inset + radius;
  const right = 1 - inset - radius;
  const cx = Math.min(Math.max(x, left), right);
  const cy = Math.min(Math.max(y, left), right);
  return inRect(x, y, inset, inset, 1 - inset, 1 - inset) && inCircle(x, y, cx, cy, radius);
}

/** Whether a point is inside the white disc. */
function inDisc(x, y) {
  return inCircle(x, y, 0.5, 0.5, 0.33);
}

/** Whether a point is inside the letter «Р»: a stem and a round bowl. */
function inLetter(x, y) {
  const stem = inRect(x, y, 0.385, 0.3, 0.465, 0.71);
  const bowlOuter = inRect(x, y, 0.385, 0.3, 0.525, 0.565) || inCircle(x, y, 0.525, 0.4325, 0.1325);
  const bowlInner = inRect(x, y, 0.465, 0.37, 0.525, 0.495) || inCircle(x, y, 0.525, 0.4325, 0.0625);
  return stem || (bowlOuter && !bowlInner);
}

/** RGBA pixels, 4×4 supersampled so the edges are smooth. */
export function drawIcon(size) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      let background = 0;
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const x = (column + (sx + 0.5) / samples) / size;
          const y = (row + (sy + 0.5) / samples) / size;
          if (!inBackground(x, y)) continue;
          background += 1;
          const colour = inDisc(x, y) && !inLetter(x, y) ? WHITE : TEAL;
          red += colour[0];
          green += colour[1];
          blue += colour[2];
        }
      }
      const offset = (row * size + column) * 4;
      if (background > 0) {
        pixels[offset] = Math.round(red / background);
        pixels[offset + 1] = Math.round(green / background);
        pixels[offset + 2] = Math.round(blue / background);
      }
      pixels[offset + 3] = Math.round((background / (samples * samples)) * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG (8-bit RGBA, no interlace) of square RGBA pixels. */
export function encodePng(pixels, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let row = 0; row < size; row += 1) {
    raw[row * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(raw, row * (size * 4 + 1) + 1, row * size * 4, (row + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const size = Number(process.argv[2] ?? 1024);
  const out = resolve(process.argv[3] ?? `${repoRoot}/build/icon.png`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(drawIcon(size), size));
  console.log(`wrote ${out} (${size}×${size})`);
}
