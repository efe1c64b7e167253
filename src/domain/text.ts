// How names are stored and found: NFC for storage, a folded form (no diacritics, no case, đ = d) for search.

/** The form a name is stored in: NFC, trimmed, inner runs of spaces collapsed. */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** "Nguyễn Thị Hoa" and "nguyen thi hoa" fold to the same key; Vietnamese đ/Đ is not a combining mark, so it is mapped. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ' ');
}
