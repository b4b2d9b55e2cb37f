/**
 * SeedLink packets framed as a server sends them, for the test server and tests (the protocol
 * digests: 3.1 "SL" and the sequence as six hexadecimal digits, then a 512-byte record; 4.0 "SE",
 * format and subformat codes, payload length and sequence little-endian, the station id).
 */

/** A SeedLink 3.1 data packet: the sequence keeps its low 24 bits, as 3.1 servers count. */
export function seedlinkV3Packet(sequence: number, record: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`SL${(sequence & 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`, 'latin1'), record]);
}

/** A SeedLink 4.0 packet; format '2' (miniSEED 2) and subformat 'D' (data) unless given as byte codes. */
export function seedlinkV4Packet(sequence: number, stationId: string, payload: Buffer, format = 0x32, subformat = 0x44): Buffer {
  const id = Buffer.from(stationId, 'latin1');
  const header = Buffer.alloc(17);
  header.write('SE', 0, 'latin1');
  header[2] = format;
  header[3] = subformat;
  header.writeUInt32LE(payload.length, 4);
  header.writeBigUInt64LE(BigInt(sequence), 8);
  header[16] = id.length;
  return Buffer.concat([header, id, payload]);
}
