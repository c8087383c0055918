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

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Why what was typed can't be a stamp code, in words for a child; null when it looks like one. Checked
 * before sending, so a slip of the finger does not count as a wrong guess on the server.
 */
export function codeProblem(input) {
  if (parseStampCode(input)) return null;
  const squashed = String(input || "").normalize("NFKC").toUpperCase().replace(/[\s\u2010-\u2015\u2212_-]+/g, "");
  const [, letters = "", digits = ""] = /^([A-Z]*?)([0-9OIL]*)$/.exec(squashed) || [];
  if (!letters && !digits) return "A stamp code is a colour and 4 numbers, like RED 2468.";
  if (!letters) return "Start with the colour on your stamp, like RED or BLUE.";
  const colour = ALIASES[letters] || letters;
  if (!(colour in COLOURS)) {
    const [closest] = Object.keys(COLOURS).sort((a, b) => distance(colour, a) - distance(colour, b));
    return distance(colour, closest) <= 2
      ? `We don't know the colour ${letters}. Did you mean ${closest}?`
      : `We don't know the colour ${letters}. It's a colour word, like RED, BLUE or GREEN.`;
  }
  if (digits.length < 4) {
    return `A stamp code has 4 numbers after the colour. You typed ${digits.length}.`;
  }
  if (digits.length > 4) return `A stamp code has only 4 numbers after the colour. You typed ${digits.length}.`;
  return "A stamp code is a colour and 4 numbers, like RED 2468.";
}
