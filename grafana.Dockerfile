# Grafana with the Lacuna app plugin (its datasource and panels) inside: the plugin is built from
# this repository in the first stage, so nothing is built on the host. docker-compose.yml builds
# it; by hand: docker build -f grafana.Dockerfile -t lacuna-grafana .
# Grafana's version is at least that of the @grafana packages the plugin is built against
# (grafana-plugin/package.json); provisioning/stack.test.ts checks it.

FROM node:20.19.5-bookworm-slim AS plugin
WORKDIR /src
# Every workspace's manifest, as npm reads the whole workspace list; only the plugin's
# dependencies and the root's (tsx, which loads the webpack configuration) are installed. Install
# scripts are skipped: the root's would compile the CLI, which this image does not hold.
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY collector/package.json collector/
COPY exporter/package.json exporter/
COPY cli/package.json cli/
COPY grafana-plugin/package.json grafana-plugin/
RUN npm ci --ignore-scripts --no-audit --no-fund -w grafana-plugin --include-workspace-root
COPY grafana-plugin grafana-plugin
RUN npm run build -w grafana-plugin

FROM grafana/grafana:12.4.10
# Outside /var/lib/grafana, which docker-compose.yml keeps on a volume: a rebuilt image brings its
# plugin, where a volume would keep serving the copy it was first filled with.
ENV GF_PATHS_PLUGINS=/usr/share/grafana/lacuna-plugins
COPY --from=plugin /src/grafana-plugin/dist /usr/share/grafana/lacuna-plugins/lacuna-availability-app
# The plugin is not signed: Grafana loads it, and only it, unsigned.
ENV GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=lacuna-availability-app,lacuna-availability-datasource,lacuna-timeline-panel,lacuna-completion-panel
