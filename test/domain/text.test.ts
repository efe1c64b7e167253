import { describe, expect, it } from 'vitest';
import { ethnicities, ethnicityCodeFrom } from '../../src/domain/ethnicities.js';
import { foldForSearch, normaliseName } from '../../src/domain/text.js';

describe('names', () => {
  it.each([
    ['Nguyễn Thị Hoa', 'nguyen thi hoa'],
    ['ĐẶNG THỊ ĐÀO', 'dang thi dao'],
    ['  Lò   Thị  Xuân ', 'lo thi xuan'],
    ['Hà Thị Ngọc Ánh', 'ha thi ngoc anh'],
  ])('folds %s to %s', (name, folded) => {
    expect(foldForSearch(name)).toBe(folded);
  });

  it('stores names NFC whatever form they arrive in', () => {
    const decomposed = 'Nguyễn Thị Hoa'.normalize('NFD');
    expect(decomposed).not.toBe('Nguyễn Thị Hoa');
    expect(normaliseName(decomposed)).toBe('Nguyễn Thị Hoa'.normalize('NFC'));
    expect(foldForSearch(decomposed)).toBe('nguyen thi hoa');
  });
});

describe('ethnicities', () => {
  it('lists the 54 groups with unique two-digit codes', () => {
    expect(ethnicities).toHaveLength(54);
    expect(new Set(ethnicities.map((ethnicity) => ethnicity.code)).size).toBe(54);
    expect(ethnicities.every((ethnicity, index) => ethnicity.code === String(index + 1).padStart(2, '0'))).toBe(true);
  });

  it.each([
    ['01', '01'],
    ['8', '08'],
    ['Kinh', '01'],
    ['kinh', '01'],
    ['Mông', '08'],
    ['Hmông', '08'],
    ['Khmer', '05'],
    ['Xơ Đăng', '14'],
    ['Ê Đê', '12'],
    ['55', null],
    ['Martian', null],
  ])('reads %s as %s', (text, code) => {
    expect(ethnicityCodeFrom(text)).toBe(code);
  });
});
