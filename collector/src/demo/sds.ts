import type { ChannelId, Micros } from '@lacuna/core';
import { utcFields } from '@lacuna/core';

/**
 * SDS path of a channel's day file, relative to the archive root:
 * `YEAR/NET/STA/CHA.TYPE/NET.STA.LOC.CHA.TYPE.YEAR.DDD` (DDD: day of year, three digits).
 */
export function sdsRelativePath(id: ChannelId, dayStart: Micros, type = 'D'): string {
  const { year, dayOfYear } = utcFields(dayStart);
  const y = String(year).padStart(4, '0');
  const d = String(dayOfYear).padStart(3, '0');
  return `${y}/${id.network}/${id.station}/${id.channel}.${type}/${id.network}.${id.station}.${id.location}.${id.channel}.${type}.${y}.${d}`;
}
