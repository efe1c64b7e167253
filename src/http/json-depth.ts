// How deeply a JSON text nests, read without parsing it: a body nested thousands deep is refused before the parser
// (and every validator after it) has to walk it.

/** The nesting depth of a JSON text, or Infinity once it passes `limit` (the scan stops there). */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c) index += 1; // a backslash escapes the next character
      else if (character === 0x22) inString = false;
      continue;
    }
    if (character === 0x22) inString = true;
    else if (character === 0x7b || character === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return Number.POSITIVE_INFINITY;
    } else if (character === 0x7d || character === 0x5d) depth -= 1;
  }
  return deepest;
}
