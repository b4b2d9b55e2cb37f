import type React from 'react';
import { useCallback, useEffect, useRef } from 'react';

/**
 * A scheduler that runs `draw` at most once per animation frame: scroll events come faster than
 * frames, and each would otherwise redraw. The pending frame is cancelled on unmount.
 */
export function useFrameScheduler(draw: () => void): () => void {
  const frameRequest = useRef(0);
  useEffect(() => () => cancelAnimationFrame(frameRequest.current), []);
  return useCallback(() => {
    if (frameRequest.current !== 0) return;
    frameRequest.current = requestAnimationFrame(() => {
      frameRequest.current = 0;
      draw();
    });
  }, [draw]);
}

/** The mouse position of an event in the canvas's CSS pixels. */
export function canvasPoint(canvas: HTMLCanvasElement, event: React.MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}
