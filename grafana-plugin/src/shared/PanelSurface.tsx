/**
 * The scaffolding both panels share: a scroller as tall as all rows with a sticky canvas the size
 * of what shows (measured, so a classic scrollbar or a wrapping legend never clips the canvas),
 * drawing scheduled once per frame, the canvas's accessible name and text summary, the hover
 * tooltip, error and empty messages, the sort override and collapsible groups, and the
 * dashboard's shared crosshair.
 */
import React, { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { DashboardCursorSync, DataHoverClearEvent, DataHoverEvent, type EventBus, type GrafanaTheme2, type PanelData } from '@grafana/data';
import { usePanelContext, useStyles2 } from '@grafana/ui';
import { PanelTooltip, type TooltipContent } from './PanelTooltip';
import { prepareCanvas } from './palette';

export interface Viewport {
  width: number;
  height: number;
}

export interface Surface {
  scrollerRef: React.RefObject<HTMLDivElement>;
  canvasRef: React.RefObject<HTMLCanvasElement>;
  /** The canvas's CSS size: the scroller's inside, without its scrollbar and the legend. */
  viewport: Viewport;
  scrollTop(): number;
  /** The pointer's position in canvas CSS pixels. */
  point(event: React.MouseEvent): { x: number; y: number };
}

/** Refs and the measured viewport of a panel `width` × `height`. */
export function usePanelSurface(width: number, height: number): Surface {
  const scrollerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [viewport, setViewport] = useState<Viewport>({ width, height });
  // Measured after every render: a scrollbar appears when rows outgrow the panel, the legend
  // wraps when the panel narrows. Without layout (jsdom) the panel's own size stands in.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    const next = scroller && scroller.clientWidth > 0 ? { width: scroller.clientWidth, height: scroller.clientHeight } : { width, height };
    setViewport((current) => (current.width === next.width && current.height === next.height ? current : next));
  });
  return useMemo(
    () => ({
      scrollerRef,
      canvasRef,
      viewport,
      scrollTop: () => scrollerRef.current?.scrollTop ?? 0,
      point: (event: React.MouseEvent) => {
        const rect = canvasRef.current!.getBoundingClientRect();
        return { x: event.clientX - rect.left, y: event.clientY - rect.top };
      },
    }),
    [viewport]
  );
}

/**
 * Draws the canvas whenever `deps` change (before paint) and returns the scroll handler, which
 * redraws at most once per animation frame: scroll events come faster than frames.
 */
export function useSurfaceDrawing(surface: Surface, draw: (ctx: CanvasRenderingContext2D, scrollTop: number) => void, deps: readonly unknown[]): () => void {
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const frameRequest = useRef(0);
  const { canvasRef, viewport, scrollTop } = surface;
  const drawNow = useCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ctx = prepareCanvas(canvas, viewport.width, viewport.height);
    if (ctx) drawRef.current(ctx, scrollTop());
  }, [canvasRef, viewport, scrollTop]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(drawNow, [drawNow, ...deps]);
  useEffect(() => () => cancelAnimationFrame(frameRequest.current), []);
  return useCallback(() => {
    if (frameRequest.current !== 0) return;
    frameRequest.current = requestAnimationFrame(() => {
      frameRequest.current = 0;
      drawNow();
    });
  }, [drawNow]);
}

/** The panel's sort order: the option, until the user picks another in the panel (reset when the option changes). */
export function useSortOverride<T>(configured: T): [T, (next: T) => void] {
  const [override, setOverride] = useState<{ configured: T; value: T } | null>(null);
  const current = override && override.configured === configured ? override.value : configured;
  return [current, useCallback((value: T) => setOverride({ configured, value }), [configured])];
}

/** Keys of the collapsed groups, and a toggle. */
export function useCollapsedGroups(): [ReadonlySet<string>, (key: string) => void] {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback(
    (key: string) =>
      setCollapsed((current) => {
        const next = new Set(current);
        if (next.has(key)) next.delete(key);
        else next.add(key);
        return next;
      }),
    []
  );
  return [collapsed, toggle];
}

/**
 * The dashboard's shared crosshair through Grafana's event bus: `publish` sends the time under
 * the pointer (ms, or null on leave) to the other panels; `time` is where another panel's pointer
 * is. Both only when the dashboard's graph tooltip setting shares the crosshair.
 */
export function useSharedCrosshair(eventBus: EventBus | undefined): { time: number | null; publish: (timeMs: number | null) => void } {
  const { sync } = usePanelContext();
  const shared = (sync?.() ?? DashboardCursorSync.Off) !== DashboardCursorSync.Off;
  const [time, setTime] = useState<number | null>(null);
  const published = useRef<unknown>(null);
  useEffect(() => {
    if (!eventBus || !shared) return;
    const fromElsewhere = (event: { origin?: unknown }) => event !== published.current && event.origin !== eventBus;
    const hovers = eventBus.getStream(DataHoverEvent).subscribe((event) => {
      if (!fromElsewhere(event)) return;
      const at = event.payload.point.time;
      setTime(typeof at === 'number' && Number.isFinite(at) ? at : null);
    });
    const clears = eventBus.getStream(DataHoverClearEvent).subscribe((event) => {
      if (fromElsewhere(event)) setTime(null);
    });
    return () => {
      hovers.unsubscribe();
      clears.unsubscribe();
    };
  }, [eventBus, shared]);
  const lastSent = useRef<number | null>(null);
  const publish = useCallback(
    (timeMs: number | null) => {
      if (!eventBus || !shared || timeMs === lastSent.current) return;
      lastSent.current = timeMs;
      const event = timeMs === null ? new DataHoverClearEvent() : new DataHoverEvent({ point: { time: timeMs } });
      published.current = event;
      eventBus.publish(event);
    },
    [eventBus, shared]
  );
  return { time: shared ? time : null, publish };
}

/** What went wrong with the panel's queries, for the panel body (Grafana shows it only as a corner icon). */
export function queryError(data: Pick<PanelData, 'error' | 'errors'>): string | null {
  const errors = data.errors?.length ? data.errors : data.error ? [data.error] : [];
  if (errors.length === 0) return null;
  return errors.map((e) => `${e.refId ? `${e.refId}: ` : ''}${e.message ?? e.data?.message ?? 'the query failed'}`).join('\n');
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ position: 'relative', display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  scroller: css({ flex: '1 1 auto', minHeight: 0, overflowY: 'auto', overflowX: 'hidden', position: 'relative' }),
  canvas: css({ position: 'sticky', top: 0, display: 'block' }),
  summary: css({ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' }),
  message: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(2),
    textAlign: 'center',
    color: theme.colors.text.secondary,
    overflow: 'auto',
  }),
  error: css({ color: theme.colors.error.text, whiteSpace: 'pre-wrap', fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  banner: css({
    flex: '0 0 auto',
    padding: theme.spacing(0.5, 1),
    color: theme.colors.error.text,
    background: theme.colors.error.transparent,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
  }),
});

interface MessageProps {
  width: number;
  height: number;
  /** The queries' error, shown first. */
  error: string | null;
  /** Shown when there is no error: why the panel is empty. */
  empty: string;
  testId: string;
}

/** The panel body when there is nothing to draw: the queries' error, else what to do. */
export function PanelMessage({ width, height, error, empty, testId }: MessageProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.message} style={{ width, height }} data-testid={testId} role={error ? 'alert' : undefined}>
      {error ? (
        <>
          <strong>The query failed</strong>
          <div className={styles.error}>{error}</div>
        </>
      ) : (
        empty
      )}
    </div>
  );
}

interface SurfaceProps {
  surface: Surface;
  width: number;
  height: number;
  /** Height of everything the canvas can scroll through, CSS pixels. */
  contentHeight: number;
  /** The canvas's accessible name, and a text summary of what it shows. */
  label: string;
  summary: string;
  error: string | null;
  tooltip: TooltipContent | null;
  /** Below the canvas: the legend. */
  footer?: React.ReactNode;
  cursor?: string;
  onScroll: () => void;
  onMouseMove?: (event: React.MouseEvent) => void;
  onMouseDown?: (event: React.MouseEvent) => void;
  onMouseUp?: (event: React.MouseEvent) => void;
  onClick?: (event: React.MouseEvent) => void;
  onMouseLeave?: (event: React.MouseEvent) => void;
  testId: string;
}

export function PanelSurface(props: SurfaceProps) {
  const { surface, width, height, contentHeight, label, summary, error, tooltip, footer, cursor, testId } = props;
  const styles = useStyles2(getStyles);
  const summaryId = useId();
  const { viewport } = surface;
  return (
    <div className={styles.root} style={{ width, height }} data-testid={testId}>
      {error && (
        <div className={styles.banner} role="alert">
          {error}
        </div>
      )}
      <div ref={surface.scrollerRef} className={styles.scroller} onScroll={props.onScroll} data-testid={`${testId}-scroller`}>
        <div style={{ height: Math.max(contentHeight, viewport.height) }}>
          <canvas
            ref={surface.canvasRef}
            className={styles.canvas}
            style={{ width: viewport.width, height: viewport.height, cursor }}
            role="img"
            aria-label={label}
            aria-describedby={summaryId}
            onMouseMove={props.onMouseMove}
            onMouseDown={props.onMouseDown}
            onMouseUp={props.onMouseUp}
            onClick={props.onClick}
            onMouseLeave={props.onMouseLeave}
          />
        </div>
      </div>
      <div id={summaryId} className={styles.summary} data-testid={`${testId}-summary`}>
        {summary}
      </div>
      {footer}
      {tooltip && <PanelTooltip {...tooltip} width={width} height={height} />}
    </div>
  );
}
