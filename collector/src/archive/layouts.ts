/**
 * Archive layouts as path templates. Placeholders: {YEAR} {DAY} (day of year) {NET} {STA}
 * {LOC} {CHA} {TYPE}; `*` is any run of characters within one path part, `**` any number of
 * folders. Built-ins are templates too, so a new layout is one line here.
 */
export const BUILT_IN_LAYOUTS: Record<string, string> = {
  sds: '{YEAR}/{NET}/{STA}/{CHA}.{TYPE}/{NET}.{STA}.{LOC}.{CHA}.{TYPE}.{YEAR}.{DAY}',
  bud: '{NET}/{STA}/{STA}.{NET}.{LOC}.{CHA}.{YEAR}.{DAY}',
};

const PLACEHOLDERS: Record<string, string> = {
  YEAR: '\\d{4}',
  DAY: '\\d{3}',
  NET: '[A-Za-z0-9_-]{1,8}',
  STA: '[A-Za-z0-9_-]{1,8}',
  LOC: '[A-Za-z0-9_-]{0,8}',
  CHA: '[A-Za-z0-9_-]{1,8}',
  TYPE: '[A-Za-z]',
};

/** A compiled layout: tests each folder name on the way down, and the file name at the end. */
export interface Layout {
  name: string;
  template: string;
  /** One matcher per path part, or null when the template has `**` (then only `matchesPath` applies). */
  parts: RegExp[] | null;
  matchesPath(relativePath: string): boolean;
  /** Whether the template names {NET} and {STA}, so that a path says its station. */
  namesStation: boolean;
  /** The network and station a matching path names (their first occurrence), else null. */
  stationOf(relativePath: string): { network: string; station: string } | null;
}

export class LayoutError extends Error {}

/** Named groups for a path's station: only a placeholder's first occurrence is captured (group names are unique). */
const CAPTURED = new Set(['NET', 'STA']);

function partToRegExp(part: string, template: string, captured: Set<string>): string {
  let source = '';
  for (const token of part.split(/(\{[A-Z]+\}|\*)/)) {
    if (token === '') continue;
    if (token === '*') source += '[^/]*';
    else if (token.startsWith('{')) {
      const name = token.slice(1, -1);
      const pattern = PLACEHOLDERS[name];
      if (!pattern) throw new LayoutError(`layout "${template}": unknown placeholder ${token} (known: ${Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(' ')})`);
      if (CAPTURED.has(name) && !captured.has(name)) {
        captured.add(name);
        source += `(?<${name}>${pattern})`;
      } else source += pattern;
    } else source += token.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  return source;
}

/** `sds`, `bud`, or a template of one's own. */
export function compileLayout(nameOrTemplate: string): Layout {
  const template = BUILT_IN_LAYOUTS[nameOrTemplate.toLowerCase()] ?? nameOrTemplate;
  const name = template === nameOrTemplate ? 'pattern' : nameOrTemplate.toLowerCase();
  if (template.trim() === '' || template.startsWith('/') || template.split('/').includes('..')) {
    throw new LayoutError(`layout "${nameOrTemplate}": expected sds, bud or a relative path template such as "{NET}/{STA}/*.mseed"`);
  }
  const pieces = template.split('/');
  const globstar = pieces.includes('**');
  const captured = new Set<string>();
  const partSources = pieces.map((piece) => (piece === '**' ? '(?:[^/]+/)*' : partToRegExp(piece, template, captured)));
  const whole = new RegExp(`^${partSources.map((source, i) => (pieces[i] === '**' ? source : `${source}${i < pieces.length - 1 ? '/' : ''}`)).join('')}$`);
  return {
    name,
    template,
    parts: globstar ? null : partSources.map((source) => new RegExp(`^${source}$`)),
    matchesPath: (relativePath) => whole.test(relativePath),
    namesStation: captured.size === CAPTURED.size,
    stationOf: (relativePath) => {
      const groups = whole.exec(relativePath)?.groups;
      return groups?.NET !== undefined && groups.STA !== undefined ? { network: groups.NET, station: groups.STA } : null;
    },
  };
}
