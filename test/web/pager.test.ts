// The pager under a list: the first page's link leaves the page's own cursor behind, the next one carries its own.
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/web/i18n/index.js';
import type { Page } from '../../src/web/page.js';
import { pager } from '../../src/web/views/components.js';

const page = { lang: 'vi', t: messagesFor('vi') } as unknown as Page;

describe('pager', () => {
  it('links the first page without the cursor, and the next page with the next cursor, keeping the filters', () => {
    const shown = pager(page, '/app/arrears', { areaId: 'ar-1', cursor: '50' }, '100').toString();
    expect(shown).toContain('<a href="/app/arrears?areaId=ar-1">Trang đầu</a>');
    expect(shown).toContain('href="/app/arrears?areaId=ar-1&amp;cursor=100" rel="next"');
    expect(pager(page, '/app/arrears', { cursor: '50' }, null).toString()).toContain('<a href="/app/arrears">Trang đầu</a>');
  });

  it('shows nothing for a list that fits on its first page', () => {
    expect(pager(page, '/app/arrears', { areaId: 'ar-1' }, null).toString()).toBe('');
  });
});
