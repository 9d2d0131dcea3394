// A PNG reader and writer small enough to check by eye, so that the image
// tests need nothing beyond Node.js: the reader takes every non-interlaced
// PNG (any colour type and bit depth) to 8-bit RGB, the writer writes
// 8-bit RGB with no filtering.

import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(left, up, upLeft) {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left);
  const pb = Math.abs(p - up);
  const pc = Math.abs(p - upLeft);
  if (pa <= pb && pa <= pc) return left;
  return pb <= pc ? up : upLeft;
}

// An image as { width, height, rgb } (rgb: width * height * 3 bytes, rows
// top to bottom), with `alpha` (the least alpha of any pixel, 255 when the
// PNG has none). Transparent pixels are laid over white, the paper colour
// of the figures compared.
export function decodePng(buffer, what = 'PNG') {
  if (!buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error(`${what} does not start with the PNG signature`);
  let offset = 8;
  let header = null;
  let palette = null;
  let transparency = null;
  const idat = [];
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0), height: data.readUInt32BE(4),
        bitDepth: data[8], colourType: data[9], interlace: data[12],
      };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!header) throw new Error(`${what} has no IHDR chunk`);
  const { width, height, bitDepth, colourType } = header;
  const channels = CHANNELS[colourType];
  if (!channels) throw new Error(`${what}: unknown colour type ${colourType}`);
  if (header.interlace !== 0) throw new Error(`${what} is interlaced, which this reader does not take`);
  if (colourType === 3 && !palette) throw new Error(`${what}: a palette image without PLTE`);

  const bitsPerPixel = channels * bitDepth;
  const bytesPerPixel = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  if (raw.length < height * (stride + 1)) throw new Error(`${what}: the image data is ${raw.length} bytes, short of ${height * (stride + 1)}`);

  const rgb = new Uint8Array(width * height * 3);
  let alpha = 255;
  let previous = new Uint8Array(stride);
  let line = new Uint8Array(stride);
  // One sample of the line: 8 bits, the high byte of 16, or packed below 8.
  const sample = (index) => {
    if (bitDepth === 8) return line[index];
    if (bitDepth === 16) return line[index * 2];
    const bit = index * bitDepth;
    return (line[bit >> 3] >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
  };
  const toByte = (value) => (bitDepth >= 8 || colourType === 3 ? value : Math.round((value * 255) / ((1 << bitDepth) - 1)));
  for (let y = 0; y < height; y++) {
    const start = y * (stride + 1);
    const filter = raw[start];
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? line[i - bytesPerPixel] : 0;
      const up = previous[i];
      const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
      const value = raw[start + 1 + i];
      switch (filter) {
        case 0: line[i] = value; break;
        case 1: line[i] = (value + left) & 0xff; break;
        case 2: line[i] = (value + up) & 0xff; break;
        case 3: line[i] = (value + ((left + up) >> 1)) & 0xff; break;
        case 4: line[i] = (value + paeth(left, up, upLeft)) & 0xff; break;
        default: throw new Error(`${what}: row ${y} has unknown filter ${filter}`);
      }
    }
    for (let x = 0; x < width; x++) {
      let r; let g; let b; let a = 255;
      if (colourType === 3) {
        const index = sample(x);
        [r, g, b] = [palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]];
        if (transparency && index < transparency.length) a = transparency[index];
      } else if (colourType === 0 || colourType === 4) {
        r = g = b = toByte(sample(x * channels));
        if (colourType === 4) a = sample(x * channels + 1);
      } else {
        [r, g, b] = [sample(x * channels), sample(x * channels + 1), sample(x * channels + 2)];
        if (colourType === 6) a = sample(x * channels + 3);
      }
      if (a < alpha) alpha = a;
      if (a !== 255) {
        r = Math.round((r * a + 255 * (255 - a)) / 255);
        g = Math.round((g * a + 255 * (255 - a)) / 255);
        b = Math.round((b * a + 255 * (255 - a)) / 255);
      }
      const o = (y * width + x) * 3;
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
    }
    [previous, line] = [line, previous];
  }
  return { width, height, rgb, alpha };
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(bytes) {
  let c = -1;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng({ width, height, rgb }) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const raw = Buffer.alloc(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
