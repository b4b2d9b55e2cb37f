/**
 * jsdom lacks a few browser APIs that @grafana/ui calls while rendering; these stand-ins do
 * nothing, which is all the editors' tests need. Harness tests run in node and skip this.
 */
import '@testing-library/jest-dom/vitest';

if (typeof window !== 'undefined') {
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
  window.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
