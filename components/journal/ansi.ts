/**
 * ANSI escape handling for log lines: SGR colour and weight codes become styled segments; every other escape
 * sequence is dropped. Segments carry plain text only, rendered by React as text (never as markup).
 */

type AnsiStyle = {
  /** 0-15: the theme's palette (a CSS class); a string: an exact colour from a 256-colour or RGB code. */
  fg: number | string | null;
  bg: number | string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  inverse: boolean;
};

/** A run of text in one style; `start` is its offset in the line's plain (escape-free) text. */
export type AnsiSegment = { text: string; start: number; style: AnsiStyle | null };

// CSI (ESC [ ... final, or the 8-bit CSI), OSC (ESC ] ... BEL or ST), other escapes (ESC 7, ESC ( B), a lone ESC.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]|\x1b/g;
const HAS_ESCAPE = /[\x1b\x9b]/;

const PLAIN: AnsiStyle = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, strike: false, inverse: false };

/** The line without escape sequences: what is searched, copied and downloaded. */
export function stripAnsi(text: string): string {
  return HAS_ESCAPE.test(text) ? text.replace(ESCAPES, "") : text;
}

const CUBE = [0, 95, 135, 175, 215, 255];

/** The xterm 256-colour palette above the first 16 (which follow the theme). */
function color256(index: number): number | string | null {
  if (!Number.isInteger(index) || index < 0 || index > 255) return null;
  if (index < 16) return index;
  if (index < 232) {
    const value = index - 16;
    return `rgb(${CUBE[Math.floor(value / 36)]}, ${CUBE[Math.floor(value / 6) % 6]}, ${CUBE[value % 6]})`;
  }
  const grey = 8 + (index - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

const byte = (value: number | undefined) => (value !== undefined && Number.isInteger(value) && value >= 0 && value <= 255 ? value : null);

/** Applies one SGR parameter list ("1;31", "38;5;208", "") to a style. */
function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((part) => (part === "" ? 0 : Number(part)));
  let next = { ...style };
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index]!;
    if (code === 0) next = { ...PLAIN };
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 9) next.strike = true;
    else if (code === 22) next.bold = next.dim = false;
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code === 29) next.strike = false;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code === 39) next.fg = null;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code === 49) next.bg = null;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 38 || code === 48) {
      let colour: number | string | null = null;
      if (codes[index + 1] === 5) {
        colour = color256(codes[index + 2]!);
        index += 2;
      } else if (codes[index + 1] === 2) {
        const [r, g, b] = [byte(codes[index + 2]), byte(codes[index + 3]), byte(codes[index + 4])];
        colour = r !== null && g !== null && b !== null ? `rgb(${r}, ${g}, ${b})` : null;
        index += 4;
      }
      if (code === 38) next.fg = colour;
      else next.bg = colour;
    }
  }
  return next;
}

const isPlain = (style: AnsiStyle) =>
  style.fg === null && style.bg === null && !style.bold && !style.dim && !style.italic && !style.underline && !style.strike && !style.inverse;

/** Splits a line into styled segments (one unstyled segment when it has no escapes). */
export function parseAnsi(text: string): AnsiSegment[] {
  if (!HAS_ESCAPE.test(text)) return [{ text, start: 0, style: null }];
  const segments: AnsiSegment[] = [];
  let style = PLAIN;
  let offset = 0;
  let last = 0;
  const push = (piece: string) => {
    if (!piece) return;
    const current = isPlain(style) ? null : style;
    const previous = segments.at(-1);
    if (previous && previous.style === current) previous.text += piece;
    else segments.push({ text: piece, start: offset, style: current });
    offset += piece.length;
  };
  for (const match of text.matchAll(ESCAPES)) {
    push(text.slice(last, match.index));
    last = match.index + match[0].length;
    const sgr = /^(?:\x1b\[|\x9b)([0-9;:]*)m$/.exec(match[0]);
    if (sgr) style = applySgr(style, sgr[1]!);
  }
  push(text.slice(last));
  return segments.length ? segments : [{ text: "", start: 0, style: null }];
}

/** Class names and inline colours for a segment; palette colours follow the theme through CSS classes. */
export function segmentPresentation(style: AnsiStyle | null): { className?: string; style?: { color?: string; backgroundColor?: string } } {
  if (!style) return {};
  // Inverse swaps the colours; a default colour swapped becomes the other default (the block's background or text).
  const [fg, bg] = style.inverse ? [style.bg, style.fg] : [style.fg, style.bg];
  const classes: string[] = [];
  const inline: { color?: string; backgroundColor?: string } = {};
  if (typeof fg === "number") classes.push(`ansi-fg-${fg}`);
  else if (fg) inline.color = fg;
  else if (style.inverse) classes.push("ansi-fg-inverse");
  if (typeof bg === "number") classes.push(`ansi-bg-${bg}`);
  else if (bg) inline.backgroundColor = bg;
  else if (style.inverse) classes.push("ansi-bg-inverse");
  if (style.bold) classes.push("ansi-bold");
  if (style.dim) classes.push("ansi-dim");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  if (style.strike) classes.push("ansi-strike");
  return { className: classes.length ? classes.join(" ") : undefined, style: inline.color || inline.backgroundColor ? inline : undefined };
}
