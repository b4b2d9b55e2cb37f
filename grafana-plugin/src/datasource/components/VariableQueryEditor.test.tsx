import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { VariableQueryEditor } from './VariableQueryEditor';

describe('VariableQueryEditor', () => {
  it('lists networks by default and switches to stations', async () => {
    const onChange = vi.fn();
    render(<VariableQueryEditor query={undefined} onChange={onChange} />);
    expect(screen.getByLabelText('Networks')).toBeChecked();
    await userEvent.click(screen.getByLabelText('Stations'));
    expect(onChange).toHaveBeenCalledWith({ level: 'station', pattern: '' }, 'stations');
  });

  it('saves the pattern when the field is left, with a readable definition', () => {
    const onChange = vi.fn();
    render(<VariableQueryEditor query={{ level: 'channel' }} onChange={onChange} />);
    const input = screen.getByLabelText('Variable pattern');
    fireEvent.change(input, { target: { value: '$network.$station.*.BH?' } });
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(input);
    expect(onChange).toHaveBeenCalledWith({ level: 'channel', pattern: '$network.$station.*.BH?' }, 'channels matching $network.$station.*.BH?');
  });

  it('reads a query saved as plain text as a channel pattern', () => {
    render(<VariableQueryEditor query="IU.*" onChange={() => {}} />);
    expect(screen.getByLabelText('Channels')).toBeChecked();
    expect(screen.getByLabelText('Variable pattern')).toHaveValue('IU.*');
  });
});
