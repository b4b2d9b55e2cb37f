import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, SecretInput } from '@grafana/ui';
import type { LacunaOptions, LacunaSecureOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<LacunaOptions, LacunaSecureOptions>;

/** The exporter's URL and its API token; Grafana's proxy adds both to every request. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = (options.secureJsonData ?? {}) as LacunaSecureOptions;
  return (
    <div>
      <InlineField label="URL" labelWidth={16} tooltip="Base URL of the Lacuna exporter as Grafana's server reaches it, e.g. http://lacuna:9470">
        <Input
          aria-label="URL"
          width={48}
          placeholder="http://lacuna:9470"
          value={jsonData.url ?? ''}
          onChange={(event) => onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.currentTarget.value.trim() } })}
        />
      </InlineField>
      <InlineField label="API token" labelWidth={16} tooltip="LACUNA_API_TOKEN of the exporter; sent as a bearer token. Leave empty when the exporter has none.">
        <SecretInput
          aria-label="API token"
          width={48}
          isConfigured={Boolean(secureJsonFields?.token)}
          value={secureJsonData.token ?? ''}
          onChange={(event) => onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: event.currentTarget.value } })}
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...secureJsonFields, token: false },
              secureJsonData: { ...secureJsonData, token: '' },
            })
          }
        />
      </InlineField>
    </div>
  );
}
