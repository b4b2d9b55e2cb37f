/**
 * Stream ids of non-seismic live sources (pushed streams, file-drop series) as channel ids, so
 * that channel patterns, channelKey, the store's order keys and the metrics labels work for them
 * unchanged.
 *
 * The mapping, one way and exact:
 *
 *   NET.STA.LOC.CHA                        → that channel (a seismic channel pushed by name)
 *   DESIGNATOR[/PART[/PART…]]              → network.station.location.channel, where
 *     DESIGNATOR = NETWORK[-STATION[-LOCATION]]   split at its first two hyphens, as ooi-status
 *                                                 splits a reference designator; LOCATION keeps
 *                                                 any further hyphens
 *     channel    = the PARTs joined with "-"
 *   a missing STATION or channel is "-" (a split never yields "-" for them, so nothing collides).
 *
 *   CE01ISSM-MFD37-03-CTDBPC000/telemetered   → CE01ISSM.MFD37.03-CTDBPC000.telemetered
 *   CE01ISSM-MFD37-03-CTDBPC000/telemetered/ctdbp_cdef_dcl_instrument
 *                                             → CE01ISSM.MFD37.03-CTDBPC000.telemetered-ctdbp_cdef_dcl_instrument
 *   stix-pipeline/L1                          → stix.pipeline..L1
 *   housekeeping                              → housekeeping.-..-
 *
 * The parts hold letters, digits and "_" (the designator also "-"), so the channel fields keep to
 * the characters channel keys and patterns allow, and `streamIdOf` gives the stream id back.
 */
import type { ChannelId } from '../model.ts';
import { parseChannelKey } from '../channel.ts';

export const MAX_STREAM_ID_LENGTH = 255;

/** Placeholder for a station or channel a stream id does not have. */
export const ABSENT = '-';

const WORD = /^[A-Za-z0-9_]+$/;

/** The channel a stream id stands for; throws an Error naming the stream id and what is wrong. */
export function streamChannel(streamId: string): ChannelId {
  const bad = (why: string) => new Error(`bad stream id ${JSON.stringify(streamId)}: ${why}`);
  if (typeof streamId !== 'string' || streamId === '') throw bad('empty');
  if (streamId.length > MAX_STREAM_ID_LENGTH) throw bad(`${streamId.length} characters, at most ${MAX_STREAM_ID_LENGTH}`);
  if (streamId.includes('.')) {
    try {
      return parseChannelKey(streamId);
    } catch (error) {
      throw bad(`with dots it must be a channel NET.STA.LOC.CHA (${(error as Error).message})`);
    }
  }
  const [designator, ...parts] = streamId.split('/');
  const [network, station, ...location] = designator.split('-');
  if (network === '') throw bad('it must start with a name (letters, digits, _)');
  const named: [string, string][] = [['network', network]];
  if (station !== undefined) named.push(['station', station]);
  if (location.length > 0) named.push(['location', location.join('-')]);
  for (const [name, value] of named) {
    const words = name === 'location' ? value.split('-') : [value];
    if (words.some((word) => !WORD.test(word))) {
      throw bad(`${name} ${JSON.stringify(value)} must be letters, digits and _ ${name === 'location' ? '(and -) ' : ''}and not empty`);
    }
  }
  parts.forEach((part, index) => {
    if (!WORD.test(part)) throw bad(`part ${index + 2} ${JSON.stringify(part)} after a "/" must be letters, digits and _, and not empty`);
  });
  return {
    network,
    station: station ?? ABSENT,
    location: location.join('-'),
    channel: parts.length > 0 ? parts.join('-') : ABSENT,
  };
}

/** The stream id in the DESIGNATOR/PART form of a channel (the inverse of `streamChannel`). */
export function streamIdOf(id: ChannelId): string {
  let designator = id.network;
  if (id.station !== ABSENT) designator += `-${id.station}`;
  if (id.location !== '') designator += `-${id.location}`;
  return id.channel === ABSENT ? designator : `${designator}/${id.channel.split('-').join('/')}`;
}
