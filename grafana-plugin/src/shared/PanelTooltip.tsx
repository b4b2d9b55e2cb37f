import React from 'react';
import type { GrafanaTheme2 } from '@grafana/data';

interface Props {
  /** Pointer position in the panel, CSS pixels. */
  x: number;
  y: number;
  /** Panel size: the tooltip opens towards the side with more room. */
  width: number;
  height: number;
  theme: GrafanaTheme2;
  lines: string[];
}

const OFFSET = 14;

/** The panels' hover box: monospace lines, so exact times line up. */
export function PanelTooltip({ x, y, width, height, theme, lines }: Props) {
  const left = x < width / 2;
  const above = y > height / 2;
  return (
    <div
      data-testid="lacuna-tooltip"
      style={{
        position: 'absolute',
        left: left ? x + OFFSET : undefined,
        right: left ? undefined : width - x + OFFSET,
        top: above ? undefined : y + OFFSET,
        bottom: above ? height - y + OFFSET : undefined,
        pointerEvents: 'none',
        background: theme.colors.background.secondary,
        color: theme.colors.text.primary,
        border: `1px solid ${theme.colors.border.medium}`,
        borderRadius: 4,
        padding: '6px 8px',
        font: `12px ${theme.typography.fontFamilyMonospace}`,
        whiteSpace: 'pre',
        boxShadow: theme.shadows.z2,
        zIndex: 1,
      }}
    >
      {lines.join('\n')}
    </div>
  );
}
