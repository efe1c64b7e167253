// A database whose loan read models an older version's rules made has them rebuilt before the service reads them: the
// version is kept in the file, and the service's preparation of the fund rebuilds when it is behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loanReadModelVersion } from '../../src/modules/loans/loan-read-models.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { fundWithBooks, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund & { loanIds: string[] };
beforeEach(async () => {
  test = await buildTestApp();
  fund = await fundWithBooks(test);
}, 60_000);
afterEach(async () => {
  await test.close();
});

const userVersion = () => test.database.sqlite.pragma('user_version', { simple: true }) as number;
const segments = () => test.database.sqlite.prepare('SELECT * FROM loan_timeline_segments ORDER BY loan_id, from_day').all();

describe('loan read models made by older rules', () => {
  it('a new database records the rules its read models follow, and a second preparation rebuilds nothing', () => {
    expect(userVersion()).toBe(loanReadModelVersion);
    expect(prepareFund(test.context, undefined).readModelsRebuilt).toBeNull();
  });

  it('are rebuilt from the loans’ histories, and the books verify again', async () => {
    const made = segments();
    // As a database of the previous version holds them: other segments (here, none for the first loan), version 1.
    test.database.sqlite.prepare('DELETE FROM loan_timeline_segments WHERE loan_id = ?').run(fund.loanIds[0]);
    test.database.sqlite.pragma('user_version = 1');
    const stale = (await fund.auditor('GET', '/v1/ledger/verify')).json();
    expect(stale.problems.map((problem: { check: string }) => problem.check)).toEqual(['loan_read_models']);
    const prepared = prepareFund(test.context, undefined);
    expect(prepared.readModelsRebuilt).toMatchObject({ loans: fund.loanIds.length, from: 1 });
    expect(userVersion()).toBe(loanReadModelVersion);
    expect(segments()).toEqual(made);
    expect((await fund.auditor('GET', '/v1/ledger/verify')).json()).toMatchObject({ ok: true, problemCount: 0 });
  });
});
