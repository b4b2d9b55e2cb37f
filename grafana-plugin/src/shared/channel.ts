/** Channel identifiers as the API writes them: `NET.STA.LOC.CHA`, the location may be empty. */
export interface ChannelParts {
  network: string;
  station: string;
  location: string;
  channel: string;
}

/** The parts of `NET.STA.LOC.CHA`; ids with fewer parts (a non-seismic source) keep what they have. */
export function splitChannelId(id: string): ChannelParts {
  const [network = '', station = '', location = '', ...rest] = id.split('.');
  return { network, station, location, channel: rest.join('.') };
}
