# The Lacuna image: one binary (`lacuna`) with targets, as the collector and the exporter of
# docker-compose.yml run it. Built from this repository: docker build -t lacuna .

# The compiled CLI: cli/src and the workspaces and libraries it uses, bundled into cli/dist.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
# The Grafana plugin is built and served separately; its dependencies stay out of this image.
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY collector/package.json collector/
COPY exporter/package.json exporter/
COPY cli/package.json cli/
# --libc=musl leaves out the optional native packages built for glibc, none of which the build
# runs: above all the embedded ClickHouse engine (about 550 MB), which the compiled CLI leaves
# external and this image does not hold. esbuild's binary, which the build runs, fits any libc.
# Install scripts are skipped: the root's would compile before the sources are here.
RUN npm ci --ignore-scripts --libc=musl --no-audit --no-fund -w core -w collector -w exporter -w cli --include-workspace-root
COPY core/src core/src
COPY collector/src collector/src
COPY exporter/src exporter/src
COPY cli cli
RUN npm run build

# The image (the last stage, so `docker build .` makes it).
FROM node:20.19.5-bookworm-slim AS lacuna
WORKDIR /app
ENV NODE_ENV=production

# The bundle needs no package at run time but the embedded ClickHouse engine (chdb, a native
# library of about 550 MB, an optional dependency of core), which this image leaves out: it always
# talks to a ClickHouse server (LACUNA_STORE), and asking it for an embedded store says what to
# install. cli/package.json says the bundle is an ES module.
COPY cli/package.json cli/
COPY cli/bin cli/bin
COPY --from=build /app/cli/dist cli/dist

# Where the exporter's spool lives (docker-compose.yml mounts a volume here): live data pushed
# while the store is away waits on disk, so it must outlive the container. /archive is where
# docker-compose.yml mounts the archive volume, which the demo profile writes as this user.
RUN mkdir -p /var/lib/lacuna /archive && chown node:node /var/lib/lacuna /archive

USER node
ENTRYPOINT ["node", "/app/cli/bin/lacuna.js"]
CMD ["--help"]
