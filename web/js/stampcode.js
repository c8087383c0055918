// A preview of the stamp code a child is typing ("red2468" → RED 2468 with a red dot). The server is the
// judge of what a code is and forgives even more (shared/learning/codes.py); this only helps the child
// see that the colour and the four numbers were understood.

export const COLOURS = {
  RED: "#c62828", BLUE: "#1565c0", GREEN: "#2e7d32", YELLOW: "#f9c80e", ORANGE: "#ef6c00", PURPLE: "#6a1b9a",
  PINK: "#d81b60", BROWN: "#6d4c41", BLACK: "#212121", WHITE: "#ffffff", GREY: "#8a8f98", GOLD: "#c9a227",
  SILVER: "#b8bec6",
};
const ALIASES = { GRAY: "GREY" };
const DIGIT_LOOKALIKES = { O: "0", I: "1", L: "1" };

/** {colour, digits, text} for a recognisable code, else null. */
export function parseStampCode(input) {
  const squashed = String(input || "")
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\u2010-\u2015\u2212_-]+/g, "");
  const match = /^([A-Z]+?)([0-9OIL]{4})$/.exec(squashed);
  if (!match) return null;
  const colour = ALIASES[match[1]] || match[1];
  if (!(colour in COLOURS)) return null;
  const digits = match[2].replace(/[OIL]/g, (c) => DIGIT_LOOKALIKES[c]);
  return { colour, digits, text: `${colour} ${digits}` };
}
