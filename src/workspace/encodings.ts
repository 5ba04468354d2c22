/**
 * Python source encodings: decoding bytes the way Python does (UTF-8, optional BOM, PEP 263 coding
 * cookies, the single-byte codecs whose tables we checked against Python's) and encoding text back
 * byte-exact. Nothing here guesses: bytes we cannot decode exactly, or text we could not write back
 * losslessly, is an explained refusal, never a "repair".
 */
import { TextDecoder } from 'util';

/** How a file's bytes map to text and back. */
export interface SourceEncoding {
  /** Python's canonical codec name, for messages (`utf-8`, `latin-1`, `cp1252`, `shift_jis`, ...). */
  name: string;
  decode(bytes: Uint8Array): string | undefined;
  /** `undefined` when the text cannot be represented (or the codec has no encoder here). */
  encode(text: string): Buffer | undefined;
  /** False for codecs we can read but not write (multi-byte legacy codecs). */
  writable: boolean;
}

export type DecodeResult = { ok: true; text: string; encoding: SourceEncoding; cookie?: string } | { ok: false; reason: string };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const UTF8: SourceEncoding = {
  name: 'utf-8',
  writable: true,
  decode(bytes) {
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return undefined;
    }
  },
  encode(text) {
    const bytes = Buffer.from(text, 'utf8');
    // Buffer.from silently turns lone surrogates into U+FFFD: check the round trip.
    return this.decode(bytes) === text ? bytes : undefined;
  },
};

/** ASCII: bytes 0-127 only (WHATWG's "ascii" label means windows-1252, which is not what Python means). */
const ASCII: SourceEncoding = {
  name: 'ascii',
  writable: true,
  decode(bytes) {
    for (const b of bytes) if (b > 0x7f) return undefined;
    return Buffer.from(bytes).toString('latin1');
  },
  encode(text) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return undefined;
    return Buffer.from(text, 'latin1');
  },
};

/** True ISO-8859-1 (every byte is the code point of the same value; WHATWG's label means windows-1252). */
const LATIN1: SourceEncoding = {
  name: 'latin-1',
  writable: true,
  decode(bytes) {
    return Buffer.from(bytes).toString('latin1');
  },
  encode(text) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return undefined;
    return Buffer.from(text, 'latin1');
  },
};

/** Python's cp1252 for bytes 0x80-0x9F (-1: undefined, a decode error in Python). */
const CP1252_80_9F: readonly number[] = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1, -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

/** Bytes Python's codec leaves undefined where WHATWG's table maps them (checked table by table). */
const PYTHON_UNDEFINED_BYTES: Readonly<Record<string, readonly number[]>> = { 'windows-1253': [0xaa] };

/**
 * A single-byte codec from a WHATWG TextDecoder label, with an encoder built from its decode table.
 * Every table used here was compared with Python's codec byte by byte (see PYTHON_UNDEFINED_BYTES
 * and CP1252_80_9F for the differences).
 * `rejectC1`: Python's cp125x codecs leave a few bytes undefined where WHATWG maps them to C1
 * controls (U+0080-U+009F); treat those as undecodable, like Python does.
 */
function singleByte(name: string, label: string, rejectC1: boolean): SourceEncoding | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return undefined; // not in this Node build (e.g. iso-8859-16)
  }
  const table: Array<string | undefined> = [];
  const reverse = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    let ch: string | undefined;
    if (label === 'windows-1252') {
      // Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 (0x80 -> U+0080): use Python's table.
      const cp = b >= 0x80 && b < 0xa0 ? CP1252_80_9F[b - 0x80]! : b;
      ch = cp < 0 ? undefined : String.fromCharCode(cp);
    } else {
      try {
        ch = decoder.decode(Uint8Array.of(b));
      } catch {
        ch = undefined;
      }
    }
    if (PYTHON_UNDEFINED_BYTES[label]?.includes(b)) ch = undefined;
    if (ch !== undefined && (ch.length !== 1 || (rejectC1 && b >= 0x80 && ch.charCodeAt(0) >= 0x80 && ch.charCodeAt(0) <= 0x9f))) {
      ch = undefined;
    }
    table.push(ch);
    if (ch !== undefined && !reverse.has(ch)) reverse.set(ch, b);
  }
  return {
    name,
    writable: true,
    decode(bytes) {
      let out = '';
      for (const b of bytes) {
        const ch = table[b];
        if (ch === undefined) return undefined;
        out += ch;
      }
      return out;
    },
    encode(text) {
      const out = Buffer.alloc(text.length);
      for (let i = 0; i < text.length; i++) {
        const b = reverse.get(text[i]!);
        if (b === undefined) return undefined;
        out[i] = b;
      }
      return out;
    },
  };
}

/** A multi-byte codec we can decode (for `check`) but not encode. */
function decodeOnly(name: string, label: string): SourceEncoding | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return undefined;
  }
  return {
    name,
    writable: false,
    decode(bytes) {
      try {
        return decoder.decode(bytes);
      } catch {
        return undefined;
      }
    },
    encode() {
      return undefined;
    },
  };
}

/** Python's codec name normalisation: lower case, `_` and spaces become `-`. */
function normaliseCodecName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[_ ]/g, '-');
}

const encodingCache = new Map<string, SourceEncoding | null>();

/**
 * The codec for a PEP 263 cookie value, or `undefined` when Node cannot decode it exactly as
 * Python would. Only codecs whose WHATWG decoder matches Python's are accepted.
 */
export function encodingForCookie(cookie: string): SourceEncoding | undefined {
  const name = normaliseCodecName(cookie);
  if (encodingCache.has(name)) return encodingCache.get(name) ?? undefined;
  const enc = lookupEncoding(name);
  encodingCache.set(name, enc ?? null);
  return enc;
}

function lookupEncoding(name: string): SourceEncoding | undefined {
  // Python: "utf-8" and "utf-8-<anything>" are UTF-8; likewise latin-1 / iso-8859-1 / iso-latin-1.
  if (name === 'utf-8' || name.startsWith('utf-8-') || name === 'utf8' || name === 'u8' || name === 'utf') return UTF8;
  if (['latin-1', 'iso-8859-1', 'iso-latin-1'].some((n) => name === n || name.startsWith(`${n}-`))) return LATIN1;
  if (['latin1', 'iso8859-1', '8859', 'cp819', 'l1', 'latin'].includes(name)) return LATIN1;
  if (['ascii', 'us-ascii', '646', 'us'].includes(name)) return ASCII;
  let m = /^(?:cp|windows-)(125[0-8])$/.exec(name);
  if (m) return singleByte(`cp${m[1]}`, `windows-${m[1]}`, true);
  // iso-8859-N whose WHATWG decoder is the genuine table (9 and 11 are aliased to windows-125x / 874).
  m = /^(?:iso-?8859-|latin-?)(\d+)$/.exec(name);
  if (m) {
    const n = Number(m[1]);
    const isoFromLatin: Record<string, number> = { '2': 2, '3': 3, '4': 4, '6': 10, '7': 13, '8': 14, '9': 15, '10': 16 };
    const iso = name.startsWith('latin') ? isoFromLatin[String(n)] : n;
    if (iso !== undefined && [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16].includes(iso)) {
      return singleByte(`iso8859-${iso}`, `iso-8859-${iso}`, false);
    }
    return undefined;
  }
  if (name === 'koi8-r') return singleByte('koi8-r', 'koi8-r', false);
  if (['shift-jis', 'sjis', 's-jis', 'shiftjis'].includes(name)) return decodeOnly('shift_jis', 'shift_jis');
  if (['euc-jp', 'eucjp', 'ujis'].includes(name)) return decodeOnly('euc_jp', 'euc-jp');
  if (['euc-kr', 'euckr', 'ksc5601', 'ks-c-5601'].includes(name)) return decodeOnly('euc_kr', 'euc-kr');
  if (['gbk', 'cp936', 'ms936', '936'].includes(name)) return decodeOnly('gbk', 'gbk');
  if (['gb18030', 'gb18030-2000'].includes(name)) return decodeOnly('gb18030', 'gb18030');
  if (['big5', 'big5-tw', 'csbig5'].includes(name)) return decodeOnly('big5', 'big5');
  return undefined;
}

/** PEP 263: `# -*- coding: <name> -*-` on line 1, or on line 2 when line 1 is blank or a comment. */
export function findCodingCookie(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  const lines = head.split(/\r\n|\r|\n/, 2);
  const cookieRe = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
  const first = (lines[0] ?? '').replace(/^\u00ef\u00bb\u00bf/, '');
  const m1 = cookieRe.exec(first);
  if (m1) return m1[1];
  if (!/^[ \t\f]*(?:#|$)/.test(first)) return undefined;
  const m2 = cookieRe.exec(lines[1] ?? '');
  return m2 ? m2[1] : undefined;
}

/**
 * Decode a Python source file's bytes. The text keeps a UTF-8 BOM (as `\uFEFF`) and all line
 * endings exactly, so `encode(decode(bytes))` is the identity.
 */
export function decodePythonSource(bytes: Uint8Array): DecodeResult {
  if (bytes.includes(0)) return { ok: false, reason: 'contains NUL bytes (binary file)' };
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const cookie = findCodingCookie(bytes);
  let encoding = UTF8;
  if (cookie !== undefined) {
    const enc = encodingForCookie(cookie);
    if (!enc) return { ok: false, reason: `unsupported source encoding '${cookie}' (coding cookie)` };
    if (hasBom && enc !== UTF8) return { ok: false, reason: `UTF-8 BOM conflicts with coding cookie '${cookie}'` };
    encoding = enc;
  }
  const text = encoding.decode(bytes);
  if (text === undefined) {
    return {
      ok: false,
      reason: cookie === undefined ? 'not valid UTF-8 and no PEP 263 coding cookie' : `not valid ${encoding.name} (as declared by its coding cookie)`,
    };
  }
  return cookie === undefined ? { ok: true, text, encoding } : { ok: true, text, encoding, cookie };
}

/** Encode `text` for writing back in `encoding`, or explain why that would not be lossless. */
export function encodePythonSource(text: string, encoding: SourceEncoding): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  if (!encoding.writable) return { ok: false, reason: `cannot write files in encoding ${encoding.name}` };
  const bytes = encoding.encode(text);
  if (!bytes || encoding.decode(bytes) !== text) {
    return { ok: false, reason: `the fixed text cannot be written losslessly in ${encoding.name}` };
  }
  return { ok: true, bytes };
}
