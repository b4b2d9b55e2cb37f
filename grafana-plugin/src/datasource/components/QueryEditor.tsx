import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import type { LacunaDataSource } from '../datasource';
import { DEFAULT_QUERY, QUERY_TYPES, type ChannelLevel, type CompletionBucket, type LacunaOptions, type LacunaQuery, type QueryType } from '../types';

const QUERY_TYPE_LABELS: Record<QueryType, { label: string; description: string }> = {
  timeline: { label: 'Timeline', description: 'Per channel: present, missing, sparse and not-expected spans, % present, gaps' },
  completion: { label: 'Completion', description: 'Channels × days or hours: percent present and sample completeness' },
  gaps: { label: 'Gaps', description: 'Every gap with its length and missing samples (also for annotations)' },
  stats: { label: 'Stats', description: 'Per channel: availability, gaps, longest gap, overlaps, latency, state' },
  latency: { label: 'Latency', description: 'Data latency over time, per channel' },
  stations: { label: 'Stations', description: 'Station coordinates and state, for the geomap panel' },
  channels: { label: 'Channels', description: 'The channels (or stations, networks) a pattern selects' },
};

const queryTypeOptions = QUERY_TYPES.map((value) => ({ value, ...QUERY_TYPE_LABELS[value] }));
const bucketOptions = [
  { value: 'day' as const, label: 'Day' },
  { value: 'hour' as const, label: 'Hour' },
];
const levelOptions = [
  { value: 'network' as const, label: 'Network' },
  { value: 'station' as const, label: 'Station' },
  { value: 'channel' as const, label: 'Channel' },
];

type Props = QueryEditorProps<LacunaDataSource, LacunaQuery, LacunaOptions>;

/** Edits a query; choosing an option runs it, typed text runs when the field loses focus. */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const current = { ...DEFAULT_QUERY, ...query };
  const type = current.queryType ?? 'timeline';
  const choose = (patch: Partial<LacunaQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const text = (key: 'channel' | 'minGap' | 'step' | 'window') => ({
    value: current[key] ?? '',
    onChange: (event: React.FormEvent<HTMLInputElement>) => onChange({ ...query, [key]: event.currentTarget.value }),
    onBlur: () => onRunQuery(),
  });

  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14} tooltip={QUERY_TYPE_LABELS[type].description}>
          <RadioButtonGroup<QueryType> options={queryTypeOptions} value={type} onChange={(queryType) => choose({ queryType })} />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label={type === 'channels' ? 'Pattern' : 'Channels'}
          labelWidth={14}
          grow
          tooltip="NET.STA.LOC.CHA with * and ?, comma-separated (IU.ANMO.*.BH?,II); -- is the empty location; template variables allowed; empty selects every channel"
        >
          <Input aria-label="Channel pattern" placeholder="IU.ANMO.*.BH?, $network.$station" {...text('channel')} />
        </InlineField>
      </InlineFieldRow>
      {type === 'completion' && (
        <InlineFieldRow>
          <InlineField label="Bucket" labelWidth={14}>
            <RadioButtonGroup<CompletionBucket> options={bucketOptions} value={current.bucket ?? 'day'} onChange={(bucket) => choose({ bucket })} />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'channels' && (
        <InlineFieldRow>
          <InlineField label="Level" labelWidth={14}>
            <RadioButtonGroup<ChannelLevel> options={levelOptions} value={current.level ?? 'channel'} onChange={(level) => choose({ level })} />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'gaps' && (
        <InlineFieldRow>
          <InlineField label="Shortest gap" labelWidth={14} tooltip="Only gaps at least this long: seconds (90) or with a unit (500ms, 10m, 1h)">
            <Input aria-label="Shortest gap" placeholder="any" width={16} {...text('minGap')} />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'latency' && (
        <InlineFieldRow>
          <InlineField label="Step" labelWidth={14} tooltip="Time between points: seconds or with a unit (5m, 1h); empty follows the panel's interval">
            <Input aria-label="Step" placeholder="auto" width={16} {...text('step')} />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'stations' && (
        <InlineFieldRow>
          <InlineField label="State window" labelWidth={14} tooltip="Trailing window the station state is judged on (1h, 1d, 7d)">
            <Input aria-label="State window" placeholder="default" width={16} {...text('window')} />
          </InlineField>
        </InlineFieldRow>
      )}
    </div>
  );
}
