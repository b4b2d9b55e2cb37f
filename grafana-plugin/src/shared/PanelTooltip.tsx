import React, { useLayoutEffect, useRef } from 'react';
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
    // Its own width, not the room left of the pointer (an absolute box shrinks to that, and the
    // tooltip at the right edge, today's cell, came out a narrow column); lines wrap only where
    // the panel is narrower than the tooltip.
    width: 'max-content',
    boxSizing: 'border-box',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    boxShadow: theme.shadows.z2,
    zIndex: theme.zIndex.tooltip,
  }),
});

/** Where a box `size` long goes beside the pointer at `at` in a panel `extent` long: after it if it fits, else before it, else as far as it can inside. */
export function placeBeside(at: number, size: number, extent: number, offset = OFFSET): number {
  if (at + offset + size <= extent) return at + offset;
  if (at - offset - size >= 0) return at - offset - size;
  return Math.max(0, Math.min(extent - size, at - size / 2));
}

/** The panels' hover box: monospace lines, so exact times line up; it stays inside the panel. */
export function PanelTooltip({ x, y, width, height, lines }: Props) {
  const styles = useStyles2(getStyles);
  const ref = useRef<HTMLDivElement>(null);
  // Placed once its size is known, before it is painted.
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.style.left = `${placeBeside(x, box.offsetWidth, width)}px`;
    box.style.top = `${placeBeside(y, box.offsetHeight, height)}px`;
  });
  return (
    <div data-testid="lacuna-tooltip" ref={ref} className={styles.tooltip} style={{ left: x + OFFSET, top: y + OFFSET, maxWidth: Math.max(120, width - 8) }}>
      {lines.join('\n')}
    </div>
  );
}
