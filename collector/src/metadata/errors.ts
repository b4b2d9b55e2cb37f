/**
 * The one error type of the metadata parsers. Its message always names the input (file name or
 * the source name given to a pure parser), the place in it (CSV line, StationXML element path)
 * and what is wrong, e.g. `stations.csv line 7: end "2024-01-01" is before start "2024-02-01"`.
 */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';

  constructor(
    /** The input's name: a path or the `sourceName` given to a parser. */
    readonly source: string,
    /** Where in the input: `line 7` (CSV) or an element path (StationXML); empty for the whole input. */
    readonly where: string,
    /** What is wrong, without the source and place. */
    readonly reason: string,
  ) {
    super(where ? `${source} ${where}: ${reason}` : `${source}: ${reason}`);
  }
}
