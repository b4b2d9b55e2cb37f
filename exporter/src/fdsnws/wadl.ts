/**
 * application.wadl: the service's two data endpoints (GET and POST) and their parameters, in the
 * W3C WADL vocabulary that FDSN services publish.
 */
import { ORDERINGS, type Endpoint } from './params.ts';

interface ParameterDoc {
  name: string;
  type: 'xsd:string' | 'xsd:dateTime' | 'xsd:float' | 'xsd:integer' | 'xsd:boolean';
  doc: string;
  defaultValue?: string;
  options?: readonly string[];
  /** Default: both endpoints. */
  only?: Endpoint;
}

const CODES = 'comma-separated list; wildcards * and ? allowed';

function parameters(endpoint: Endpoint): ParameterDoc[] {
  const all: ParameterDoc[] = [
    { name: 'starttime', type: 'xsd:dateTime', doc: 'start of the window, YYYY-MM-DD[Thh:mm:ss[.ffffff]] UTC; alias start' },
    { name: 'endtime', type: 'xsd:dateTime', doc: 'end of the window; alias end' },
    { name: 'network', type: 'xsd:string', doc: `network codes, ${CODES}; alias net` },
    { name: 'station', type: 'xsd:string', doc: `station codes, ${CODES}; alias sta` },
    { name: 'location', type: 'xsd:string', doc: `location codes, ${CODES}; -- is the empty location; alias loc` },
    { name: 'channel', type: 'xsd:string', doc: `channel codes, ${CODES}; alias cha` },
    { name: 'quality', type: 'xsd:string', doc: 'quality codes D, R, Q, M (comma-separated) or * for any', defaultValue: '*' },
    {
      name: 'merge',
      type: 'xsd:string',
      doc: endpoint === 'query' ? 'comma-separated: samplerate, quality, overlap' : 'comma-separated: samplerate, quality',
    },
    { name: 'mergegaps', type: 'xsd:float', doc: 'join spans separated by gaps up to this many seconds (default: half a sample interval)', only: 'query' },
    { name: 'show', type: 'xsd:string', doc: 'latestupdate: add when the data of each span was last updated', options: ['latestupdate'], only: 'query' },
    { name: 'orderby', type: 'xsd:string', doc: 'order of the rows', defaultValue: 'nslc_time_quality_samplerate', options: ORDERINGS[endpoint] },
    { name: 'limit', type: 'xsd:integer', doc: 'most rows returned' },
    { name: 'includerestricted', type: 'xsd:boolean', doc: 'accepted; all data here is open', defaultValue: 'false' },
    { name: 'format', type: 'xsd:string', doc: 'output format', defaultValue: 'text', options: ['text', 'geocsv', 'json', 'request'] },
    { name: 'nodata', type: 'xsd:integer', doc: 'status when nothing matches', defaultValue: '204', options: ['204', '404'] },
  ];
  return all.filter((parameter) => parameter.only === undefined || parameter.only === endpoint);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function parameterXml(parameter: ParameterDoc): string {
  const attributes = [`name="${parameter.name}"`, 'style="query"', `type="${parameter.type}"`];
  if (parameter.defaultValue !== undefined) attributes.push(`default="${escapeXml(parameter.defaultValue)}"`);
  const options = (parameter.options ?? []).map((option) => `\n            <option value="${escapeXml(option)}"/>`).join('');
  return `          <param ${attributes.join(' ')}>
            <doc>${escapeXml(parameter.doc)}</doc>${options}
          </param>`;
}

const MEDIA_TYPES = ['text/plain', 'text/csv', 'application/json'];

function endpointXml(endpoint: Endpoint): string {
  const responses = `        <response status="200">
${MEDIA_TYPES.map((type) => `          <representation mediaType="${type}"/>`).join('\n')}
        </response>
        <response status="204 400 404 413 500">
          <representation mediaType="text/plain"/>
        </response>`;
  return `    <resource path="${endpoint}">
      <method name="GET" id="${endpoint}GET">
        <request>
${parameters(endpoint).map(parameterXml).join('\n')}
        </request>
${responses}
      </method>
      <method name="POST" id="${endpoint}POST">
        <request>
          <representation mediaType="text/plain">
            <doc>optional key=value lines (options), then one selection per line: NET STA LOC CHA START [END]</doc>
          </representation>
        </request>
${responses}
      </method>
    </resource>`;
}

/** The WADL document; `base` is the service's absolute URL (…/fdsnws/availability/1/). */
export function applicationWadl(base: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<application xmlns="http://wadl.dev.java.net/2009/02" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <doc title="Lacuna FDSN availability web service 1.0"/>
  <resources base="${escapeXml(base)}">
    <resource path="/">
      <method name="GET">
        <response>
          <representation mediaType="text/plain"/>
        </response>
      </method>
    </resource>
${endpointXml('query')}
${endpointXml('extent')}
    <resource path="version">
      <method name="GET">
        <response>
          <representation mediaType="text/plain"/>
        </response>
      </method>
    </resource>
    <resource path="application.wadl">
      <method name="GET">
        <response>
          <representation mediaType="application/xml"/>
        </response>
      </method>
    </resource>
  </resources>
</application>
`;
}
