/**
 * A stand-in for Grafana in the gallery's page (there is no Grafana server here): it loads the
 * BUILT plugin's AMD modules (dist/…/module.js) with the shared libraries Grafana would hand them,
 * runs the datasource's queries through backendSrv against the page server's proxy route (which,
 * like Grafana's, adds the exporter's bearer token), and renders the panel plugins with the props
 * Grafana gives a panel: data (series and errors), size, options with their defaults, time range
 * and zone, event bus, theme.
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import {
  createTheme,
  DashboardCursorSync,
  dateTime,
  EventBusSrv,
  LoadingState,
  ThemeContext,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePlugin,
  type PanelPlugin,
  type PanelProps,
} from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as rxjs from 'rxjs';
import { lastValueFrom, Observable } from 'rxjs';

const PLUGIN_BASE = '/public/plugins/lacuna-availability-app';
const shared: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  rxjs,
};

const loaded = new Map<string, Promise<unknown>>();
let loading: Promise<unknown> = Promise.resolve();

/** Loads one built module once: its `define([...deps], factory)` gets the shared libraries. One at a time: `define` is global. */
function loadModule<T>(path: string): Promise<T> {
  let module = loaded.get(path);
  if (!module) {
    module = loading.then(() => loadScript<T>(path));
    loading = module.catch(() => undefined);
    loaded.set(path, module);
  }
  return module as Promise<T>;
}

function loadScript<T>(path: string): Promise<T> {
  const uri = `${PLUGIN_BASE}/${path}`;
  return new Promise((resolve, reject) => {
    (window as unknown as { define: unknown }).define = (deps: string[], factory: (...args: unknown[]) => T) => {
      const missing = deps.filter((d) => d !== 'module' && !(d in shared));
      if (missing.length > 0) reject(new Error(`${path} needs ${missing.join(', ')}, which the host does not provide`));
      else resolve(factory(...deps.map((d) => (d === 'module' ? { uri } : shared[d]))));
    };
    const script = document.createElement('script');
    script.src = uri;
    script.onerror = () => reject(new Error(`cannot load ${uri}`));
    document.head.appendChild(script);
  });
}

// Grafana's services the plugin calls: HTTP through the proxy, and template variables (none here).
grafanaRuntime.setBackendSrv({
  fetch: <T,>(options: { url: string }) =>
    new Observable<{ data: T; status: number; ok: boolean }>((subscriber) => {
      fetch(options.url).then(
        async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // Not JSON: keep the text, as Grafana does.
          }
          if (response.ok) {
            subscriber.next({ data: data as T, status: response.status, ok: true });
            subscriber.complete();
          } else subscriber.error({ status: response.status, statusText: response.statusText, data });
        },
        (error) => subscriber.error({ status: 502, data: { message: String(error) } })
      );
    }),
} as unknown as grafanaRuntime.BackendSrv);
// The option editors Grafana registers at startup; panels' option builders look their ids up.
// Nothing edits options here, so they render nothing; the defaults they carry are what counts.
grafanaData.standardEditorsRegistry.setInit(() =>
  ['boolean', 'color', 'dashboard-uid', 'field-name', 'multi-select', 'number', 'radio', 'select', 'slider', 'strings', 'text', 'timezone', 'unit'].map((id) => ({ id, name: id, editor: () => null }))
);
grafanaRuntime.setTemplateSrv({
  getVariables: () => [],
  replace: (text?: string) => text ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as grafanaRuntime.TemplateSrv);

export interface GalleryRender {
  /** Name of the exporter behind the proxy route (`demo`, `case30`, `network`); `…-badtoken` sends a wrong token. */
  source: string;
  panel: 'timeline' | 'completion';
  theme: 'dark' | 'light';
  width: number;
  height: number;
  fromMs: number;
  toMs: number;
  timeZone?: string;
  channel?: string;
  options?: Record<string, unknown>;
}

let root: Root | null = null;
const dashboardBus = new EventBusSrv();
const panelContext = { eventsScope: 'global', eventBus: dashboardBus, sync: () => DashboardCursorSync.Crosshair };

async function render(request: GalleryRender): Promise<{ frames: number; errors: string[] }> {
  const [{ plugin: datasourcePlugin }, { plugin: panelPlugin }] = await Promise.all([
    loadModule<{ plugin: DataSourcePlugin<DataSourceApi> }>('datasource/module.js'),
    loadModule<{ plugin: PanelPlugin }>(`panels/${request.panel}/module.js`),
  ]);
  const settings = {
    id: 1,
    uid: request.source,
    type: 'lacuna-availability-datasource',
    name: 'Lacuna',
    url: `/api/datasources/proxy/uid/${request.source}`,
    jsonData: {},
    meta: { id: 'lacuna-availability-datasource' },
    readOnly: true,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings;
  const datasource = new datasourcePlugin.DataSourceClass(settings);
  const from = dateTime(request.fromMs);
  const to = dateTime(request.toMs);
  const timeRange = { from, to, raw: { from, to } };
  const target = request.panel === 'timeline' ? { refId: 'A', queryType: 'timeline', channel: request.channel ?? '' } : { refId: 'A', queryType: 'completion', bucket: 'day', channel: request.channel ?? '' };
  const query = {
    targets: [target],
    range: timeRange,
    maxDataPoints: request.width,
    intervalMs: Math.max(1, Math.round((request.toMs - request.fromMs) / request.width)),
    interval: '1m',
    scopedVars: {},
    timezone: request.timeZone ?? 'utc',
    app: 'dashboard',
    requestId: 'gallery',
    startTime: Date.now(),
  } as unknown as DataQueryRequest;
  const response = (await lastValueFrom(datasource.query(query) as Observable<DataQueryResponse>)) as DataQueryResponse;
  const errors = response.errors ?? (response.error ? [response.error] : []);
  const theme = createTheme({ colors: { mode: request.theme } });
  const Panel = panelPlugin.panel!;
  const props = {
    id: 1,
    data: { state: errors.length > 0 ? LoadingState.Error : LoadingState.Done, series: response.data, errors, timeRange },
    timeRange,
    timeZone: request.timeZone ?? 'utc',
    options: { ...panelPlugin.defaults, ...request.options },
    fieldConfig: panelPlugin.fieldConfigDefaults,
    transparent: false,
    width: request.width,
    height: request.height,
    renderCounter: 0,
    title: '',
    eventBus: dashboardBus,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    onChangeTimeRange: () => {},
    replaceVariables: (text: string) => text,
  } as unknown as PanelProps;
  document.body.style.background = theme.colors.background.canvas;
  const frame = document.getElementById('root')!;
  frame.style.cssText = `width:${request.width}px;height:${request.height}px;background:${theme.colors.background.primary};border:1px solid ${theme.colors.border.weak};`;
  root?.unmount();
  root = createRoot(frame);
  flushSync(() =>
    root!.render(
      <ThemeContext.Provider value={theme}>
        <grafanaUi.PanelContextProvider value={panelContext}>
          <Panel {...props} />
        </grafanaUi.PanelContextProvider>
      </ThemeContext.Provider>
    )
  );
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return { frames: response.data.length, errors: errors.map((e) => e.message ?? '') };
}

declare global {
  interface Window {
    gallery: { render: typeof render };
  }
}

window.gallery = { render };
