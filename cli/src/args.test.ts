import { describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { parseArguments } from './main.ts';

describe('arguments as people type them', () => {
  it('takes relative times as separate arguments, as the README shows them', () => {
    const parsed = parseArguments('availability', ['--by', 'hour', '--channel', 'IU', '--start', '-2d', '--end', '-12h']);
    expect(parsed).not.toBe('help');
    expect(parsed !== 'help' && parsed.values).toMatchObject({ by: 'hour', channel: 'IU', start: '-2d', end: '-12h' });
  });

  it('still refuses a missing value and an unknown option', () => {
    expect(() => parseArguments('gaps', ['--start'])).toThrow(UsageError);
    expect(() => parseArguments('gaps', ['--start', '-x'])).toThrow(UsageError);
    expect(() => parseArguments('gaps', ['--no-such-option'])).toThrow(/gaps: .*no-such-option/);
    // A value left out before the next option: node calls it "ambiguous".
    expect(() => parseArguments('gaps', ['--start', '--store', 'S'])).toThrow(/^gaps: option --start needs a value before the next option \(see lacuna gaps --help\)$/);
  });

  it('leaves what follows -- alone', () => {
    const parsed = parseArguments('scan', ['--layout', 'sds', '--', '--start', '-2d']);
    expect(parsed !== 'help' && parsed.positionals).toEqual(['--start', '-2d']);
  });
});
