import React from 'react';
import { act, render, renderHook, screen } from '@testing-library/react';
import { dateTime, EventBusSrv, LoadingState, type PanelData, type PanelProps } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';
import { CompletionPanel } from '../panels/completion/CompletionPanel';
import { DEFAULT_COMPLETION_OPTIONS } from '../panels/completion/options';
import { TimelinePanel } from '../panels/timeline/TimelinePanel';
import { DEFAULT_TIMELINE_OPTIONS } from '../panels/timeline/options';
import { queryError, useSortOverride } from './PanelSurface';
import { placeBeside } from './PanelTooltip';

// TimelinePanel imports locationService for its row links; nothing here navigates.
vi.mock('@grafana/runtime', () => ({ locationService: { push: vi.fn() } }));

function props<T>(options: T, data: Partial<PanelData>): PanelProps<T> {
  const from = dateTime(1_709_251_200_000);
  const to = dateTime(1_709_337_600_000);
  const timeRange = { from, to, raw: { from, to } };
  return {
    id: 1,
    data: { state: LoadingState.Done, series: [], timeRange, ...data },
    timeRange,
    timeZone: 'utc',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: 800,
    height: 400,
    renderCounter: 0,
    title: '',
    eventBus: new EventBusSrv(),
    onOptionsChange: vi.fn(),
    onFieldConfigChange: vi.fn(),
    onChangeTimeRange: vi.fn(),
    replaceVariables: (text: string) => text,
  } as unknown as PanelProps<T>;
}

const failed: Partial<PanelData> = { state: LoadingState.Error, errors: [{ refId: 'A', message: '401: a valid bearer token is required' }] };

describe('a failed query in the panel body', () => {
  it('timeline: says the query failed and why, not that there are no channels', () => {
    render(<TimelinePanel {...props(DEFAULT_TIMELINE_OPTIONS, failed)} />);
    expect(screen.getByRole('alert')).toHaveTextContent('The query failed');
    expect(screen.getByRole('alert')).toHaveTextContent('A: 401: a valid bearer token is required');
    expect(screen.queryByText(/No channels/)).toBeNull();
  });

  it('completion map: the same', () => {
    render(<CompletionPanel {...props(DEFAULT_COMPLETION_OPTIONS, failed)} />);
    expect(screen.getByRole('alert')).toHaveTextContent('A: 401: a valid bearer token is required');
    expect(screen.queryByText(/No completion data/)).toBeNull();
  });

  it('without an error, says what to run', () => {
    render(<TimelinePanel {...props(DEFAULT_TIMELINE_OPTIONS, {})} />);
    expect(screen.getByText('No channels in the data: run a Lacuna timeline query.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reads every query’s error, or the single error older Grafana versions set', () => {
    expect(queryError({ errors: [{ refId: 'A', message: 'one' }, { refId: 'B', message: 'two' }] })).toBe('A: one\nB: two');
    expect(queryError({ error: { message: 'only' } })).toBe('only');
    expect(queryError({})).toBeNull();
  });
});

describe('sort override', () => {
  it('holds the order picked in the panel until the panel option changes', () => {
    const { result, rerender } = renderHook(({ configured }) => useSortOverride(configured), { initialProps: { configured: 'name' } });
    expect(result.current[0]).toBe('name');
    act(() => result.current[1]('availability'));
    expect(result.current[0]).toBe('availability');
    rerender({ configured: 'longestGap' });
    expect(result.current[0]).toBe('longestGap');
  });
});

describe('tooltip placement', () => {
  it('opens after the pointer where it fits, before it where not, and never leaves the panel', () => {
    expect(placeBeside(100, 200, 600)).toBe(114);
    expect(placeBeside(500, 200, 600)).toBe(286);
    // Wider than the room on either side: as close as it can, inside.
    expect(placeBeside(300, 500, 600)).toBe(50);
    expect(placeBeside(30, 500, 520)).toBe(0);
    expect(placeBeside(500, 500, 520)).toBe(20);
  });
});
