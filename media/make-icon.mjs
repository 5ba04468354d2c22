// Draws media/icon.png (128x128 RGBA): "2 → 3" on a rounded dark-blue square.
// No dependencies: pixels are computed here (4x4 supersampling) and written as a PNG with zlib.
//   node media/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4; // supersampling per axis

// 5x7 glyphs.
const GLYPHS = {
  2: ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  3: ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
};

function inRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function glyphAt(glyph, gx, gy, scale, x, y) {
  const col = Math.floor((x - gx) / scale);
  const row = Math.floor((y - gy) / scale);
  if (row < 0 || row >= 7 || col < 0 || col >= 5) return false;
  return GLYPHS[glyph][row][col] === '1';
}

function inArrow(x, y) {
  // Shaft from (52,64) to (72,64), 6 px thick; head a triangle pointing right at x=80.
  if (x >= 52 && x <= 70 && Math.abs(y - 64) <= 3.5) return true;
  if (x >= 66 && x <= 80) {
    const half = ((80 - x) / 14) * 11;
    return Math.abs(y - 64) <= half;
  }
  return false;
}

/** Colour of one sample: [r, g, b, a] in 0..1. */
function sample(x, y) {
  if (!inRoundedRect(x, y, 4, 4, 124, 124, 22)) return [0, 0, 0, 0];
  const t = (x + y) / 256; // diagonal gradient
  let c = [0.07 + 0.05 * t, 0.2 + 0.12 * t, 0.42 + 0.16 * t, 1];
  if (glyphAt(2, 14, 47, 5, x, y)) c = [0.66, 0.74, 0.86, 1];
  if (glyphAt(3, 88, 47, 5, x, y)) c = [0.45, 0.93, 0.62, 1];
  if (inArrow(x, y)) c = [1, 1, 1, 1];
  return c;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let py = 0; py < SIZE; py++) {
  raw[py * (SIZE * 4 + 1)] = 0; // filter: none
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const [cr, cg, cb, ca] = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
        r += cr * ca;
        g += cg * ca;
        b += cb * ca;
        a += ca;
      }
    }
    const o = py * (SIZE * 4 + 1) + 1 + px * 4;
    const n = SS * SS;
    raw[o] = a ? Math.round((r / a) * 255) : 0;
    raw[o + 1] = a ? Math.round((g / a) * 255) : 0;
    raw[o + 2] = a ? Math.round((b / a) * 255) : 0;
    raw[o + 3] = Math.round((a / n) * 255);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
