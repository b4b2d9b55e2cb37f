import React, { useMemo } from 'react';
import type { PanelProps } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { queryError } from '../../shared/PanelSurface';
import { CompletionView } from './CompletionView';
import { DEFAULT_THRESHOLD_STEPS, type CompletionOptions } from './options';

/** Grafana's side of the map: the thresholds of the field config (colours resolved), errors and the event bus. */
export function CompletionPanel({ data, width, height, options, fieldConfig, eventBus }: PanelProps<CompletionOptions>) {
  const theme = useTheme2();
  const steps = fieldConfig.defaults.thresholds?.steps;
  const thresholds = useMemo(
    () => (steps && steps.length > 0 ? steps : DEFAULT_THRESHOLD_STEPS).map((step) => ({ value: step.value ?? -Infinity, color: theme.visualization.getColorByName(step.color) })),
    [steps, theme]
  );
  return <CompletionView frames={data.series} width={width} height={height} options={options} thresholds={thresholds} error={queryError(data)} eventBus={eventBus} />;
}
