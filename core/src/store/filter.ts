import { globToLike, type ChannelPattern } from '../channel.ts';
import type { SqlFragment } from './sql.ts';


const COLUMNS = ['network', 'station', 'location', 'channel'] as const;

/**
 * The WHERE condition for channel patterns: one LIKE per non-trivial part, the pattern text
 * passed as a parameter. No patterns matches every channel.
 */
export function channelFilter(patterns: ChannelPattern[]): SqlFragment {
  const params: Record<string, string> = {};
  const alternatives: string[] = [];
  patterns.forEach((pattern, index) => {
    const conditions: string[] = [];
    for (const column of COLUMNS) {
      const like = globToLike(pattern[column]);
      if (like === '%') continue;
      const name = `p${index}_${column}`;
      params[name] = like;
      conditions.push(`${column} LIKE {${name}:String}`);
    }
    alternatives.push(conditions.length === 0 ? '1' : `(${conditions.join(' AND ')})`);
  });
  return { sql: alternatives.length === 0 ? '1' : `(${alternatives.join(' OR ')})`, params };
}
