import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';
import type { LacunaOptions, LacunaSecureOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';

function settings(patch: Partial<DataSourceSettings<LacunaOptions, LacunaSecureOptions>> = {}) {
  return { id: 1, uid: 'u', name: 'Lacuna', jsonData: {}, secureJsonFields: {}, ...patch } as DataSourceSettings<LacunaOptions, LacunaSecureOptions>;
}

describe('ConfigEditor', () => {
  it('stores the exporter URL in jsonData', () => {
    const onOptionsChange = vi.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText('URL'), { target: { value: ' http://lacuna:9470 ' } });
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ jsonData: { url: 'http://lacuna:9470' } }));
  });

  it('stores the token only in secureJsonData', () => {
    const onOptionsChange = vi.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 's3cret' } });
    const saved = onOptionsChange.mock.calls[0][0];
    expect(saved.secureJsonData).toEqual({ token: 's3cret' });
    expect(saved.jsonData).toEqual({});
  });

  it('shows a saved token as configured and lets it be reset', async () => {
    const onOptionsChange = vi.fn();
    render(<ConfigEditor options={settings({ secureJsonFields: { token: true } })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ secureJsonFields: { token: false }, secureJsonData: { token: '' } }));
  });
});
