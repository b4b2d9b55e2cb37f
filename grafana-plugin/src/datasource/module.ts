import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { LacunaDataSource } from './datasource';
import type { LacunaOptions, LacunaQuery, LacunaSecureOptions } from './types';

export const plugin = new DataSourcePlugin<LacunaDataSource, LacunaQuery, LacunaOptions, LacunaSecureOptions>(LacunaDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setVariableQueryEditor(VariableQueryEditor);
