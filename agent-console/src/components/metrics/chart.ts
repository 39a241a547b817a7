import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * A y axis that people can read: the top is the first "nice" number (1, 2 or 5 times a power
 * of ten, per step) at or above the largest value, in at most `steps` steps.
 *
 * @example niceScale(7) // { top: 8, ticks: [0, 2, 4, 6, 8] }
 */
export function niceScale(max: number, steps = 4): { top: number; ticks: number[] } {
  const raw = Math.max(1, max) / steps;
  const power = 10 ** Math.floor(Math.log10(raw));
  // Counts are whole numbers: never a step below 1.
  const step = Math.max(1, [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power);
  const top = Math.ceil(Math.max(1, max) / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

/** Every how many days an axis label fits, so about `labels` of them show. */
export const labelEvery = (count: number, labels = 10) => Math.max(1, Math.ceil(count / labels));

/**
 * The width the chart has on screen, so the SVG is drawn at that size and its text stays
 * at a readable size (a fixed viewBox shrinks 11 px labels to 5 px on a phone).
 */
export function useChartWidth(fallback = 720): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(280, Math.round(el.clientWidth)));
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(el);
    return () => watch.disconnect();
  }, []);
  return [ref, width];
}
