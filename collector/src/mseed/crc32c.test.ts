import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cZeros4 } from './crc32c.ts';

/** Bit-at-a-time CRC-32C straight from the definition (reflected polynomial 0x82F63B78). */
function crc32cBitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the published check values', () => {
    // The CRC catalogue's check value for CRC-32/ISCSI, and RFC 3720 (iSCSI) appendix B.4.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('equals the bitwise definition on any bytes and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const s = bytes.length ? a % (bytes.length + 1) : 0;
        const e = s + (bytes.length - s ? b % (bytes.length - s + 1) : 0);
        expect(crc32c(bytes, s, e)).toBe(crc32cBitwise(bytes.subarray(s, e)));
      }),
    );
  });

  it('continues over consecutive pieces; crc32cZeros4 appends four zero bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cut) => {
        const k = cut % (bytes.length + 1);
        expect(crc32c(bytes, k, bytes.length, crc32c(bytes, 0, k))).toBe(crc32c(bytes));
        const withZeros = new Uint8Array(bytes.length + 4);
        withZeros.set(bytes);
        expect(crc32cZeros4(crc32c(bytes))).toBe(crc32c(withZeros));
      }),
    );
  });
});
