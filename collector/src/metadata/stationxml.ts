import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ChannelEpoch, Micros } from '@lacuna/core';
import { sampleRateProblem } from '@lacuna/core';
import { MetadataError } from './errors.ts';
import { isFarFuture, parseIsoMicros, TimeSyntaxError } from './time.ts';

/*
 * FDSN StationXML 1.0–1.2 (namespace http://www.fdsn.org/xml/station/1), read for what a channel
 * is expected to have: one ChannelEpoch per Channel element.
 *
 * - Namespace prefixes are dropped (`<fsx:Channel>` and `<Channel>` read alike).
 * - Response elements (the bulk of a big document: poles, zeros, FIR coefficients) are kept as
 *   unparsed text, so a document of tens of MB parses in well under a second or two.
 * - startDate: the Channel's, else its Station's; one is required. endDate absent, empty, or
 *   in or after 2255, past what integer microseconds hold exactly (files often say 2599-12-31
 *   for "open"), means open.
 * - Sample rate: SampleRate, else SampleRateRatio (NumberSamples / NumberSeconds); 0 or absent
 *   is null (not a sampled channel).
 * - Latitude, Longitude, Elevation: the Channel's, else the Station's.
 * - warnS / failS are null: StationXML has no latency limits.
 */

type XmlNode = Record<string, unknown>;

const ARRAY_ELEMENTS = new Set(['Network', 'Station', 'Channel']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Kept as raw text, not parsed into objects: we need nothing inside these.
  stopNodes: ['*.Response', '*.Comment', '*.Equipment', '*.Sensor', '*.DataLogger', '*.PreAmplifier', '*.Operator'],
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

function list(node: XmlNode, name: string): XmlNode[] {
  const v = node[name];
  if (v === undefined) return [];
  // Empty elements (<Channel/>) come back as '' — still an element, with no attributes.
  return (Array.isArray(v) ? v : [v]).map((x) => (x !== null && typeof x === 'object' ? (x as XmlNode) : {}));
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@_${name}`];
  return v === undefined ? undefined : String(v).trim();
}

/** Text of a child element (simple or with attributes, e.g. `<Latitude unit="DEGREES">`). */
function childText(node: XmlNode, name: string): string | undefined {
  let v = node[name];
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as XmlNode)['#text'];
    return t === undefined ? '' : String(t).trim();
  }
  return String(v).trim();
}

/**
 * Parses a StationXML document into channel epochs, in document order. Throws
 * {@link MetadataError} naming `sourceName`, the element path (XPath with positions, plus the
 * channel's NET.STA.LOC.CHA) and the fault: malformed XML (with line and column), a root that is
 * not FDSNStationXML, no Channel element at all, a missing or invalid date, a bad number.
 */
export function parseStationXml(text: string, sourceName: string): ChannelEpoch[] {
  // Tolerate a byte order mark and blank lines before the XML declaration (strictly invalid XML).
  const lead = /^[\ufeff\s]*/.exec(text)![0];
  if (lead.length > 0) text = text.slice(lead.length);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const skipped = lead.split('\n').length - 1;
    throw new MetadataError(sourceName, `line ${line + skipped} column ${col}`, `malformed XML: ${msg}`);
  }
  let doc: XmlNode;
  try {
    doc = parser.parse(text) as XmlNode;
  } catch (error) {
    // The validator lets some damage through that the parser then refuses (found by fuzzing: a
    // quote inside the XML declaration, "Pi Tag is not closed").
    throw new MetadataError(sourceName, '', `malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = doc.FDSNStationXML;
  if (root === undefined || root === null || typeof root !== 'object') {
    const names = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
    throw new MetadataError(
      sourceName,
      '',
      `not a FDSN StationXML document (root element <${names[0] ?? '?'}>, expected <FDSNStationXML>)`,
    );
  }

  const epochs: ChannelEpoch[] = [];
  list(root as XmlNode, 'Network').forEach((net, ni) => {
    const netPath = `/FDSNStationXML/Network[${ni + 1}]`;
    const network = requireCode(sourceName, netPath, net, 'code');
    list(net, 'Station').forEach((sta, si) => {
      const staPath = `${netPath}/Station[${si + 1}]`;
      const station = requireCode(sourceName, staPath, sta, 'code');
      const staWhere = `${staPath} (${network}.${station})`;
      const staStart = optionalTime(sourceName, staWhere, sta, 'startDate');
      const staLat = number(sourceName, staWhere, sta, 'Latitude', -90, 90);
      const staLon = number(sourceName, staWhere, sta, 'Longitude', -180, 180);
      const staElev = number(sourceName, staWhere, sta, 'Elevation', -Infinity, Infinity);
      list(sta, 'Channel').forEach((cha, ci) => {
        const chaPath = `${staPath}/Channel[${ci + 1}]`;
        const channel = requireCode(sourceName, chaPath, cha, 'code');
        let location = attr(cha, 'locationCode') ?? '';
        if (location === '--') location = '';
        const where = `${chaPath} (${network}.${station}.${location}.${channel})`;
        const start = optionalTime(sourceName, where, cha, 'startDate') ?? staStart;
        if (start === null) {
          throw new MetadataError(sourceName, where, 'missing startDate (on the Channel and its Station)');
        }
        const endText = attr(cha, 'endDate');
        const end = endText !== undefined && isFarFuture(endText) ? null : optionalTime(sourceName, where, cha, 'endDate');
        if (end !== null && end <= start) {
          throw new MetadataError(
            sourceName,
            where,
            `endDate "${attr(cha, 'endDate')}" is ${end < start ? 'before' : 'equal to'} startDate "${attr(cha, 'startDate') ?? attr(sta, 'startDate')}"`,
          );
        }
        epochs.push({
          network,
          station,
          location,
          channel,
          start,
          end,
          sampleRate: sampleRate(sourceName, where, cha),
          latitude: number(sourceName, where, cha, 'Latitude', -90, 90) ?? staLat,
          longitude: number(sourceName, where, cha, 'Longitude', -180, 180) ?? staLon,
          elevation: number(sourceName, where, cha, 'Elevation', -Infinity, Infinity) ?? staElev,
          warnS: null,
          failS: null,
        });
      });
    });
  });
  if (epochs.length === 0) {
    throw new MetadataError(sourceName, '', 'StationXML without any Channel element (channel-level metadata is needed)');
  }
  return epochs;
}

function requireCode(source: string, path: string, node: XmlNode, name: string): string {
  const v = attr(node, name);
  if (v === undefined || v === '') throw new MetadataError(source, path, `missing ${name} attribute`);
  if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new MetadataError(source, path, `bad ${name} "${v}"`);
  return v;
}

function optionalTime(source: string, where: string, node: XmlNode, name: string): Micros | null {
  const v = attr(node, name);
  if (v === undefined || v === '') return null;
  try {
    return parseIsoMicros(v);
  } catch (e) {
    if (e instanceof TimeSyntaxError) throw new MetadataError(source, where, `invalid ${name} "${v}": ${e.message}`);
    throw e;
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(source: string, where: string, name: string, v: string): number {
  const x = Number(v);
  if (!NUMBER.test(v) || !Number.isFinite(x)) throw new MetadataError(source, where, `bad ${name} "${v}" (not a number)`);
  return x;
}

function number(source: string, where: string, node: XmlNode, name: string, min: number, max: number): number | null {
  const v = childText(node, name);
  if (v === undefined || v === '') return null;
  const x = parseNumber(source, where, name, v);
  if (x < min || x > max) throw new MetadataError(source, where, `bad ${name} "${v}" (must be within ${min}..${max})`);
  return x;
}

/** The channel's rate, null when not given (or 0: SOH channels often say 0); a rate the store cannot take is an error (core's storable rule). */
function sampleRate(source: string, where: string, cha: XmlNode): number | null {
  const rate = givenSampleRate(source, where, cha);
  const problem = rate === null ? null : sampleRateProblem(rate);
  if (problem !== null) throw new MetadataError(source, where, `bad SampleRate: ${problem}`);
  return rate;
}

function givenSampleRate(source: string, where: string, cha: XmlNode): number | null {
  const direct = childText(cha, 'SampleRate');
  if (direct !== undefined && direct !== '') {
    const x = parseNumber(source, where, 'SampleRate', direct);
    if (x < 0) throw new MetadataError(source, where, `bad SampleRate "${direct}" (negative)`);
    if (x > 0) return x;
  }
  const ratio = cha.SampleRateRatio;
  if (ratio !== null && typeof ratio === 'object') {
    const r = ratio as XmlNode;
    const ns = childText(r, 'NumberSamples');
    const sec = childText(r, 'NumberSeconds');
    if (ns === undefined || ns === '' || sec === undefined || sec === '') {
      throw new MetadataError(source, where, 'SampleRateRatio needs both NumberSamples and NumberSeconds');
    }
    const samples = parseNumber(source, where, 'SampleRateRatio/NumberSamples', ns);
    const seconds = parseNumber(source, where, 'SampleRateRatio/NumberSeconds', sec);
    if (samples < 0 || seconds <= 0) {
      throw new MetadataError(source, where, `bad SampleRateRatio ${ns}/${sec}`);
    }
    if (samples > 0) return samples / seconds;
  }
  return null;
}
