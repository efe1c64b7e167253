// Which report row a group falls in: its province, commune, village, itself or its officer. Reports count per
// group and roll the counts up to the rows asked for.
import type { FundDatabase } from '../../../db/client.js';
import { findArea } from '../registry/registry.repo.js';
import { type Actor, assignedAreaIds } from '../shared/access.js';
import { byteOrderMark, csvRecord } from '../shared/csv.js';
import { DomainError } from '../shared/domain-error.js';
import type { GroupBy } from './report.commands.js';
import type { GroupIds } from './classification.repo.js';
import * as repo from './report.repo.js';

export interface Coverage {
  groups: repo.GroupRow[];
  groupIds: Set<string>;
  rowOf: (groupId: string) => { key: string; code: string; name: string } | null;
  areaId: string | null;
  areaIds: (string | null)[];
  /** The groups for a read to keep: null when the report covers the whole fund, so the read filters nothing. */
  groupIdList: GroupIds;
}

export function coverage(db: FundDatabase, actor: Actor, areaId: string | undefined, groupBy: GroupBy | undefined): Coverage {
  let areaPath: string | undefined;
  if (areaId !== undefined) {
    const area = findArea(db, areaId);
    if (!area) throw new DomainError('area_not_found', `No area has the id ${areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
    areaPath = area.path;
  }
  const groups = repo.groupsCovered(db, actor, areaPath);
  const names = groupBy && groupBy !== 'group' && groupBy !== 'officer' ? repo.areaNames(db) : new Map();
  const officers = groupBy === 'officer' ? repo.officerNames(db) : new Map<string, string>();
  const depth = { province: 1, commune: 2, village: 3 } as const;
  const areaRows = new Map<string, { key: string; code: string; name: string }>();
  const rowFor = (group: repo.GroupRow) => {
    if (!groupBy) return null;
    if (groupBy === 'group') return { key: group.id, code: group.code, name: group.name };
    if (groupBy === 'officer') return { key: group.officerId ?? 'none', code: group.officerId ?? '', name: group.officerId ? (officers.get(group.officerId) ?? group.officerId) : 'No officer' };
    const id = group.areaPath.split('/')[depth[groupBy]] ?? '';
    // Shared by the area's groups: a province's 5,000 groups by commune make 170 rows, not 5,000.
    let row = areaRows.get(id);
    if (!row) {
      const area = names.get(id);
      row = { key: id, code: area?.code ?? '', name: area?.name ?? id };
      areaRows.set(id, row);
    }
    return row;
  };
  // Each group's row worked out once: reports ask it for every member, membership and loan they count.
  const rows = new Map(groups.map((group) => [group.id, rowFor(group)]));
  const rowOf = (groupId: string) => rows.get(groupId) ?? null;
  const wholeFund = areaId === undefined && (actor.role === 'admin' || actor.role === 'auditor');
  // The plan the report is measured against: the area's when one is asked for, the fund's for the whole fund, and for
  // an officer who sees part of it, the plan of the one area she is assigned to. With several, or for a leader, none:
  // the fund's targets are not what her groups are to reach.
  const assigned = assignedAreaIds(actor);
  const areaIds: (string | null)[] = areaId !== undefined ? [areaId] : wholeFund ? [null] : assigned.length === 1 ? assigned : [];
  return { groups, groupIds: new Set(groups.map((group) => group.id)), rowOf, areaId: areaId ?? null, areaIds, groupIdList: wholeFund ? null : groups.map((group) => group.id) };
}

/** A counter keyed by report row, with a total beside. */
export class Tally<T> {
  readonly rows = new Map<string, { row: { key: string; code: string; name: string }; value: T; counters: readonly T[] }>();
  private readonly totalOnly: readonly T[];
  constructor(
    private readonly make: () => T,
    readonly total: T = make(),
  ) {
    this.totalOnly = [total];
  }

  /** The counters a thing in this row adds to: the total, and the row's own when there are rows. */
  for(row: { key: string; code: string; name: string } | null): readonly T[] {
    if (!row) return this.totalOnly;
    let entry = this.rows.get(row.key);
    if (!entry) {
      const value = this.make();
      entry = { row, value, counters: [this.total, value] };
      this.rows.set(row.key, entry);
    }
    return entry.counters;
  }

  sortedRows(): { key: string; code: string; name: string; value: T }[] {
    return [...this.rows.values()].sort((a, b) => a.row.code.localeCompare(b.row.code) || a.row.name.localeCompare(b.row.name)).map(({ row, value }) => ({ ...row, value }));
  }
}

/** CSV as Excel opens it with Vietnamese intact: UTF-8 with a BOM, RFC 4180 quoting, CRLF. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return byteOrderMark + [header, ...rows].map((row) => csvRecord(row.map(String))).join('');
}

/**
 * The counters of a tally a thing in a group adds to, or null for a group the coverage leaves out, worked out once per
 * group: a report counts tens of thousands of members and loans in a few thousand groups (three lookups each otherwise).
 */
export function countersByGroup<T>(tally: Tally<T>, coverage: Pick<Coverage, 'groupIds' | 'rowOf'>): (groupId: string) => readonly T[] | null {
  const countersOf = new Map<string, readonly T[] | null>();
  return (groupId) => {
    let counters = countersOf.get(groupId);
    if (counters === undefined) {
      counters = coverage.groupIds.has(groupId) ? tally.for(coverage.rowOf(groupId)) : null;
      countersOf.set(groupId, counters);
    }
    return counters;
  };
}
