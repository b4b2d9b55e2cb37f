import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { LacunaDataSource } from '../datasource';
import type { LacunaQuery } from '../types';
import { QueryEditor } from './QueryEditor';

function setup(query: LacunaQuery) {
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  const view = render(<QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as LacunaDataSource} />);
  return { onChange, onRunQuery, ...view };
}

describe('QueryEditor', () => {
  it('offers every /api/v1 query type and starts on the timeline', () => {
    setup({ refId: 'A' });
    for (const label of ['Timeline', 'Completion', 'Gaps', 'Stats', 'Latency', 'Stations', 'Channels']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Timeline')).toBeChecked();
  });

  it('switches the query type and runs the query', async () => {
    const { onChange, onRunQuery } = setup({ refId: 'A', queryType: 'timeline', channel: 'IU' });
    await userEvent.click(screen.getByLabelText('Completion'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'completion', channel: 'IU' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('edits the channel pattern as typed and runs it when the field is left', () => {
    const { onChange, onRunQuery } = setup({ refId: 'A', queryType: 'stats' });
    const input = screen.getByLabelText('Channel pattern');
    fireEvent.change(input, { target: { value: '$network.ANMO.*.BH?' } });
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'stats', channel: '$network.ANMO.*.BH?' });
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(input);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the bucket choice only for completion queries', async () => {
    const { onChange, rerender } = setup({ refId: 'A', queryType: 'timeline' });
    expect(screen.queryByLabelText('Hour')).not.toBeInTheDocument();
    rerender(<QueryEditor query={{ refId: 'A', queryType: 'completion' }} onChange={onChange} onRunQuery={() => {}} datasource={{} as LacunaDataSource} />);
    expect(screen.getByLabelText('Day')).toBeChecked();
    await userEvent.click(screen.getByLabelText('Hour'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'completion', bucket: 'hour' });
  });

  it('shows the fields of gaps, latency, stations and channels queries', () => {
    const { rerender } = setup({ refId: 'A', queryType: 'gaps' });
    expect(screen.getByLabelText('Shortest gap')).toBeInTheDocument();
    rerender(<QueryEditor query={{ refId: 'A', queryType: 'latency' }} onChange={() => {}} onRunQuery={() => {}} datasource={{} as LacunaDataSource} />);
    expect(screen.getByLabelText('Step')).toBeInTheDocument();
    rerender(<QueryEditor query={{ refId: 'A', queryType: 'stations' }} onChange={() => {}} onRunQuery={() => {}} datasource={{} as LacunaDataSource} />);
    expect(screen.getByLabelText('State window')).toBeInTheDocument();
    rerender(<QueryEditor query={{ refId: 'A', queryType: 'channels' }} onChange={() => {}} onRunQuery={() => {}} datasource={{} as LacunaDataSource} />);
    expect(screen.getByLabelText('Network')).toBeInTheDocument();
    expect(screen.queryByLabelText('Shortest gap')).not.toBeInTheDocument();
  });
});
