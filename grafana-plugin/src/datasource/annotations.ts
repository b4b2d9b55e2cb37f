/** Gaps as annotation regions, pure: one region per gap, tagged with its channel. */
import type { AnnotationEvent, DataFrame } from '@grafana/data';
import { fieldValues, FrameKind, framesOfKind } from '../shared/frames';
import { formatDuration, MICROS_PER_SECOND } from '../shared/time';

export function gapAnnotations(frames: readonly DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of framesOfKind(frames, FrameKind.Gaps)) {
    const start = fieldValues<number>(frame, 'time');
    const end = fieldValues<number>(frame, 'timeEnd');
    const channel = fieldValues<string>(frame, 'channel');
    const seconds = fieldValues<number>(frame, 'gap');
    const missing = fieldValues<number | null>(frame, 'missing_samples');
    if (!start || !end || !channel) continue;
    for (let i = 0; i < frame.length; i++) {
      const duration = seconds ? formatDuration(seconds[i] * MICROS_PER_SECOND) : '';
      const samples = missing && missing[i] !== null && missing[i] !== undefined ? `, ${missing[i]} samples missing` : '';
      events.push({
        time: start[i],
        timeEnd: end[i],
        isRegion: true,
        title: `Gap in ${channel[i]}`,
        text: `${duration}${samples}`,
        tags: ['gap', channel[i]],
      });
    }
  }
  return events;
}
