import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface LegendEntry {
  color: string;
  label: string;
}

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    flex: '0 0 auto',
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(1.5),
    rowGap: theme.spacing(0.25),
    alignItems: 'center',
    padding: theme.spacing(0.5, 0.75),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    lineHeight: theme.typography.bodySmall.lineHeight,
  }),
  entry: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5), whiteSpace: 'nowrap' }),
  swatch: css({ width: 12, height: 10, borderRadius: theme.shape.radius.default, flex: '0 0 auto' }),
});

/** A row of colour swatches that wraps onto more lines in a narrow panel instead of clipping. */
export function Legend({ entries }: { entries: readonly LegendEntry[] }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.legend} data-testid="lacuna-legend">
      {entries.map(({ color, label }) => (
        <span key={label} className={styles.entry}>
          <span className={styles.swatch} style={{ background: color }} />
          {label}
        </span>
      ))}
    </div>
  );
}
