/**
 * The shop's colour and the text put on it. Plain functions (the console imports them for its
 * preview): the text colour is chosen by contrast, so any colour the merchant picks stays legible
 * (WCAG 2 relative luminance; white unless dark text reads better).
 */
export const DEFAULT_WIDGET_COLOR = '#0b6e4f';
const DARK_TEXT = '#1f2933';

const channel = (v: number) => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

/** White on the colour when that reads at least as well as dark text, else dark text. */
export const textOn = (color: string): string => (contrast(color, '#ffffff') >= contrast(color, DARK_TEXT) ? '#ffffff' : DARK_TEXT);

/** The colour pair the customer pages use. */
export const shopColors = (color: string | null) => {
  const background = color ?? DEFAULT_WIDGET_COLOR;
  return { color: background, textColor: textOn(background) };
};
