import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** What the tooltip says, at the pointer's position in the panel (CSS pixels). */
export interface TooltipContent {
  x: number;
  y: number;
  lines: string[];
}

interface Props extends TooltipContent {
  /** Panel size: the tooltip opens towards the side with more room. */
  width: number;
  height: number;
}

const OFFSET = 14;

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    background: theme.colors.background.secondary,
    color: theme.colors.text.primary,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.75, 1),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre',
    boxShadow: theme.shadows.z2,
    zIndex: theme.zIndex.tooltip,
  }),
});

/** The panels' hover box: monospace lines, so exact times line up. */
export function PanelTooltip({ x, y, width, height, lines }: Props) {
  const styles = useStyles2(getStyles);
  const left = x < width / 2;
  const above = y > height / 2;
  return (
    <div
      data-testid="lacuna-tooltip"
      className={styles.tooltip}
      style={{
        left: left ? x + OFFSET : undefined,
        right: left ? undefined : width - x + OFFSET,
        top: above ? undefined : y + OFFSET,
        bottom: above ? height - y + OFFSET : undefined,
      }}
    >
      {lines.join('\n')}
    </div>
  );
}
