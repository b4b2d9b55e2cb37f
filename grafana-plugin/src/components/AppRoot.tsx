import React from 'react';
import type { AppRootProps } from '@grafana/data';

/** The app's page: what the plugin brings and where to start. */
export function AppRoot(_props: AppRootProps) {
  return (
    <div>
      <h2>Lacuna availability</h2>
      <p>This app brings three plugins for Lacuna&apos;s data-availability API:</p>
      <ul>
        <li>
          <strong>Lacuna</strong> datasource: add it under Connections with the exporter&apos;s URL and API token. Its
          queries return timelines, completion, gaps, statistics, latency, stations and channel lists; gaps can be
          shown as annotations, and networks, stations and channels fill template variables.
        </li>
        <li>
          <strong>Availability timeline</strong> panel: one row per channel, grouped by network and station, with %
          present, gaps coloured by length and time that was not expected shown apart from missing time.
        </li>
        <li>
          <strong>Completion map</strong> panel: channels by days or hours coloured by percent present, with row and
          column totals.
        </li>
      </ul>
    </div>
  );
}
