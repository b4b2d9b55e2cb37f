import React, { useState } from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import type { ChannelLevel, LacunaVariableQuery } from '../types';

interface Props {
  query: LacunaVariableQuery | string | undefined;
  onChange: (query: LacunaVariableQuery, definition: string) => void;
}

const levelOptions = [
  { value: 'network' as const, label: 'Networks' },
  { value: 'station' as const, label: 'Stations' },
  { value: 'channel' as const, label: 'Channels' },
];

/** The human-readable summary Grafana shows in the variables list. */
export function variableDefinition(query: LacunaVariableQuery): string {
  return `${query.level}s${query.pattern ? ` matching ${query.pattern}` : ''}`;
}

function normalise(query: Props['query']): LacunaVariableQuery {
  if (typeof query === 'string') return { level: 'channel', pattern: query };
  return { level: query?.level ?? 'network', pattern: query?.pattern ?? '' };
}

/** Networks, stations or channels for a template variable, narrowed by a pattern (which may use other variables). */
export function VariableQueryEditor({ query, onChange }: Props) {
  const [state, setState] = useState(() => normalise(query));
  const save = (next: LacunaVariableQuery) => {
    setState(next);
    onChange(next, variableDefinition(next));
  };
  return (
    <InlineFieldRow>
      <InlineField label="List" labelWidth={14}>
        <RadioButtonGroup<ChannelLevel> options={levelOptions} value={state.level} onChange={(level) => save({ ...state, level })} />
      </InlineField>
      <InlineField label="Pattern" labelWidth={14} grow tooltip="NET.STA.LOC.CHA with * and ?; other variables allowed ($network.*)">
        <Input
          aria-label="Variable pattern"
          placeholder="all, or e.g. $network.*"
          value={state.pattern ?? ''}
          onChange={(event) => setState({ ...state, pattern: event.currentTarget.value })}
          onBlur={() => save(state)}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
