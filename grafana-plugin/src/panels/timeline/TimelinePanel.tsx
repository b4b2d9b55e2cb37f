import React, { useCallback } from 'react';
import type { PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { queryError } from '../../shared/PanelSurface';
import type { TimelineOptions } from './options';
import { TimelineView } from './TimelineView';

/** Grafana's side of the panel: time range and zone, errors, event bus, zoom and links; the view does the rest. */
export function TimelinePanel({ data, width, height, options, timeRange, timeZone, eventBus, onChangeTimeRange, replaceVariables }: PanelProps<TimelineOptions>) {
  const onZoom = useCallback(
    (range: { fromMs: number; toMs: number }) => onChangeTimeRange({ from: range.fromMs, to: range.toMs }),
    [onChangeTimeRange]
  );
  return (
    <TimelineView
      frames={data.series}
      width={width}
      height={height}
      options={options}
      timeRange={{ fromMs: timeRange.from.valueOf(), toMs: timeRange.to.valueOf() }}
      timeZone={timeZone}
      error={queryError(data)}
      eventBus={eventBus}
      onZoom={onZoom}
      interpolate={replaceVariables}
      openLink={openLink}
    />
  );
}

function openLink(url: string): void {
  if (url.startsWith('/')) locationService.push(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}
