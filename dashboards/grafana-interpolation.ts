/**
 * Grafana's template-variable interpolation, rewritten for the dashboard tests: what a query reads
 * once Grafana 12 has replaced its variables for a given selection. There is no Grafana server here,
 * so each rule below says which Grafana behaviour it mirrors. Sources (Grafana 12 dashboards are
 * scenes-based; the code is @grafana/scenes):
 *
 * - [syntax] "Variable syntax", https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/,
 *   and scenes' VARIABLE_REGEX (variables/constants.ts): `$name`, `${name}`, `${name:format}`, `[[name]]`.
 * - [formats] "Advanced variable format options" on the same page, and scenes' formatRegistry.ts.
 * - [all] "Custom all value: ... it is never escaped", https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/,
 *   and scenes' MultiValueVariable.getValue / CustomAllValue.
 * - [interpolate] scenes' sceneInterpolator.ts (formatValue): custom format functions, the glob default.
 * - [options] scenes' query/utils.ts (metricNamesToVariableValues): a query variable's options.
 */

/** The value Grafana stores for a selected "All" ([all]: ALL_VARIABLE_VALUE). */
export const ALL = '$__all';

/** What a datasource passes to `templateSrv.replace` as a format function ([interpolate]). */
export type FormatFunction = (value: string | string[], variable: { name: string; type: string; multi: boolean; includeAll: boolean }) => string;

/** A template variable with its options loaded and a value selected. */
export interface TemplateVariable {
  name: string;
  type: string;
  multi: boolean;
  includeAll: boolean;
  /** The variable's "Custom all value", if it has one. */
  allValue?: string;
  /** Option values, in Grafana's order (the dashboards' variables have text = value). */
  options: string[];
  /** Selected values, or ALL. */
  current: string[] | typeof ALL;
}

/** [syntax] scenes' VARIABLE_REGEX, verbatim in meaning: $var, [[var:fmt]], ${var.fieldPath:fmt}. */
const VARIABLE_REFERENCE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** The formats Grafana knows and this file mirrors ([formats]); others fall back to glob, as Grafana does. */
export const FORMATS = ['glob', 'regex', 'pipe', 'csv', 'raw', 'text', 'percentencode'] as const;

/** [formats] @grafana/data's escapeRegex, which the regex format applies to each value. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** [formats] encodeURIComponent plus the sub-delimiters !'()* (RFC 3986), as scenes' encodeURIComponentStrict. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formatWith(format: string, value: string | string[], variable: TemplateVariable): string {
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'regex':
      // One value: escaped alone; several: a group of alternatives (also for none: "()").
      return Array.isArray(value) && values.length !== 1 ? `(${values.map(escapeRegex).join('|')})` : escapeRegex(values[0]);
    case 'pipe':
      return values.join('|');
    case 'csv':
      return values.join(',');
    case 'raw':
      return String(value);
    case 'text':
      // Options have text = value here; several selected values read "a + b".
      return values.join(' + ');
    case 'percentencode':
      return Array.isArray(value) ? percentEncode(`{${values.join(',')}}`) : percentEncode(value);
    default:
      // glob, the default, and the fallback for a format Grafana does not know (it logs an error).
      return Array.isArray(value) && values.length > 1 ? `{${values.join(',')}}` : String(value);
  }
}

/**
 * The value of a variable ([all]): the selected values; for "All" the custom all value when there is
 * one (marked to skip formatting), else every option's value.
 */
function valueOf(variable: TemplateVariable): { custom: string } | string | string[] {
  if (variable.current === ALL) return variable.allValue ? { custom: variable.allValue } : variable.options;
  return variable.multi ? variable.current : (variable.current[0] ?? '');
}

function formatValue(variable: TemplateVariable, format: string | FormatFunction | undefined): string {
  const value = valueOf(variable);
  if (typeof value === 'object' && !Array.isArray(value)) {
    // [all] CustomAllValue.formatter: verbatim for every format and for format functions, except
    // text ("All") and percentencode (encoded).
    if (format === 'text') return 'All';
    if (format === 'percentencode') return percentEncode(value.custom);
    return value.custom;
  }
  // [interpolate] a datasource's format function gets the value and the variable's description.
  if (typeof format === 'function') return format(value, { name: variable.name, type: variable.type, multi: variable.multi, includeAll: variable.includeAll });
  if (format === 'text' && variable.current === ALL) return 'All';
  return formatWith(format ?? 'glob', value, variable);
}

/**
 * Replaces every variable reference in `text` as Grafana does: an explicit `:format` wins over the
 * caller's format (a datasource's function or name); references to unknown names stay as written.
 */
export function interpolate(text: string, variables: ReadonlyMap<string, TemplateVariable>, format?: string | FormatFunction): string {
  return text.replace(VARIABLE_REFERENCE, (match, name1?: string, name2?: string, format2?: string, name3?: string, _fieldPath?: string, format3?: string) => {
    const variable = variables.get((name1 ?? name2 ?? name3)!);
    if (!variable) return match;
    return formatValue(variable, format2 ?? format3 ?? format);
  });
}

/** Variable names and explicit formats referenced in `text` ([syntax]). */
export function references(text: string): { name: string; format?: string }[] {
  return [...text.matchAll(VARIABLE_REFERENCE)].map((match) => ({ name: (match[1] ?? match[2] ?? match[4])!, format: match[3] ?? match[6] }));
}

/**
 * [options] A query variable's options from the names its datasource returned: the variable's regex
 * (`/…/flags`, applied to each name) keeps the names it matches, as the named group `value` (or
 * `text`), else the first capture group, else the whole name; duplicates go, keeping the first.
 * Grafana then orders them by the variable's sort setting, which changes no query's meaning and is
 * left out here.
 */
export function variableOptions(names: readonly string[], regex: string | undefined): string[] {
  const pattern = regex ? toJsRegex(regex) : undefined;
  const values = names.flatMap((name) => {
    if (!pattern) return [name];
    pattern.lastIndex = 0;
    const match = pattern.exec(name);
    if (!match) return [];
    return [match.groups?.value ?? match.groups?.text ?? (match.length > 1 ? match[1] : name)];
  });
  return [...new Set(values)];
}

/** @grafana/data's stringToJsRegex: `/source/flags`, or a bare text anchored at both ends. */
function toJsRegex(text: string): RegExp {
  if (!text.startsWith('/')) return new RegExp(`^${text}$`);
  const match = /^\/(.*?)\/(g?i?m?y?s?)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not a valid regular expression.`);
  return new RegExp(match[1], match[2]);
}
