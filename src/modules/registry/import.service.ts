// CSV import of groups and members: every row is checked first, and a file with any bad row writes nothing. A good
// file is written a thousand rows a transaction, so that a large one does not hold up every other request while it is
// written. Takes the English column names or the Vietnamese headings of a fund's own spreadsheets.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { dayNumberFromCivil, formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import { ethnicityCodeFrom } from '../../domain/ethnicities.js';
import { foldForSearch } from '../../domain/text.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, reachesArea, reachesGroup, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, today } from '../shared/context.js';
import { DomainError, type ErrorDetail } from '../shared/domain-error.js';
import { code, name } from '../shared/schemas.js';
import { closedThrough } from '../ledger/ledger.service.js';
import { readSettings } from '../settings/settings.service.js';
import { createMemberBody } from './registry.commands.js';
import * as repo from './registry.repo.js';
import { insertNewGroup, insertNewMember, memberAdmissionProblems } from './registry.service.js';

export interface ImportResult {
  imported: number;
  ids: string[];
}

/** Column name (folded, without spaces or punctuation) to field. Vietnamese headings as a fund's sheets write them. */
const groupColumns: Record<string, string> = {
  code: 'code',
  mato: 'code',
  matode: 'code',
  matotkvv: 'code',
  name: 'name',
  tento: 'name',
  tentotkvv: 'name',
  areacode: 'areaCode',
  madiaban: 'areaCode',
  mathon: 'areaCode',
  mathonban: 'areaCode',
  formedon: 'formedOn',
  ngaythanhlap: 'formedOn',
  meetingday: 'meetingDay',
  ngayhop: 'meetingDay',
  ngaysinhhoat: 'meetingDay',
};

const memberColumns: Record<string, string> = {
  fullname: 'fullName',
  hovaten: 'fullName',
  hoten: 'fullName',
  sex: 'sex',
  gioitinh: 'sex',
  dateofbirth: 'dateOfBirth',
  ngaysinh: 'dateOfBirth',
  nationalid: 'nationalId',
  socccd: 'nationalId',
  cccd: 'nationalId',
  socancuoc: 'nationalId',
  socancuoccongdan: 'nationalId',
  ethnicity: 'ethnicity',
  dantoc: 'ethnicity',
  povertystatus: 'povertyStatus',
  hoancanhho: 'povertyStatus',
  phanloaiho: 'povertyStatus',
  dienho: 'povertyStatus',
  groupcode: 'groupCode',
  mato: 'groupCode',
  matotkvv: 'groupCode',
  joinedon: 'joinedOn',
  ngayvaoto: 'joinedOn',
  ngaythamgia: 'joinedOn',
  phone: 'phone',
  sodienthoai: 'phone',
  dienthoai: 'phone',
  sdt: 'phone',
};

const requiredGroupFields = ['code', 'name', 'areaCode', 'formedOn'];
const requiredMemberFields = ['fullName', 'sex', 'dateOfBirth', 'nationalId', 'ethnicity', 'povertyStatus', 'groupCode', 'joinedOn'];

const sexWords: Record<string, string> = { female: 'female', nu: 'female', male: 'male', nam: 'male' };
const povertyWords: Record<string, string> = {
  poor: 'poor',
  hongheo: 'poor',
  ngheo: 'poor',
  nearpoor: 'near_poor',
  hocanngheo: 'near_poor',
  canngheo: 'near_poor',
  recentlyoutofpoverty: 'recently_out_of_poverty',
  homoithoatngheo: 'recently_out_of_poverty',
  moithoatngheo: 'recently_out_of_poverty',
  other: 'other',
  khac: 'other',
  hokhac: 'other',
  binhthuong: 'other',
};

const key = (text: string) => foldForSearch(text).replace(/[^a-z0-9]/g, '');

/** `YYYY-MM-DD` as is; `dd/mm/yyyy` (how a Vietnamese spreadsheet shows dates) turned into it; else left to fail. */
function isoDateFrom(text: string): string {
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
  if (!match) return text.trim();
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const candidate = `${match[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return parseIsoDate(candidate) === null ? candidate : formatIsoDate(dayNumberFromCivil(year, month, day));
}

interface CsvRow {
  line: number;
  values: Record<string, string>;
}

function readCsv(text: string, columns: Record<string, string>, required: string[]): CsvRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  // A spreadsheet saved in a Vietnamese locale separates with semicolons.
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { delimiter, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as never;
  } catch (error) {
    throw new DomainError('import_rows_invalid', `The file is not readable CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new DomainError('import_rows_invalid', 'The file is empty: it needs a header row and at least one row.');
  const fields = header.record.map((heading) => columns[key(heading)] ?? null);
  const unknown = header.record.filter((_heading, index) => fields[index] === null);
  const missing = required.filter((field) => !fields.includes(field));
  if (unknown.length > 0 || missing.length > 0) {
    const details: ErrorDetail[] = [
      ...unknown.map((heading) => ({ path: 'line 1', message: `unknown column "${heading}"` })),
      ...missing.map((field) => ({ path: 'line 1', message: `missing column ${field}` })),
    ];
    throw new DomainError('import_rows_invalid', 'The header row does not match the import format (see the README).', details);
  }
  if (rows.length === 0) throw new DomainError('import_rows_invalid', 'The file has a header row but no rows to import.');
  return rows.map(({ record, info }) => {
    const values: Record<string, string> = {};
    fields.forEach((field, index) => {
      if (field !== null) values[field] = record[index] ?? '';
    });
    return { line: info.lines, values };
  });
}

function issuesOf(line: number, error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: `line ${line}`, message: `${issue.path.join('.') || 'row'}: ${issue.message}` }));
}

/** Rows written per transaction: between two, the service answers other requests. */
export const importChunkRows = 1_000;

/** Runs one chunk's transaction: through the group commit in the service, at once in a script. */
export type ChunkWriter = <T>(write: () => T) => Promise<T> | T;
const writeNow: ChunkWriter = (write) => write();

interface CheckedRows<T> {
  problems: ErrorDetail[];
  valid: T[];
}

/**
 * Checks the whole file, then writes it a chunk at a time. Each chunk checks its rows again inside its own transaction,
 * against the fund as it is then: what another request changed between two chunks (a group given the same code, a
 * member registered with the same CCCD) stops the import there, and the answer says which lines are in and which not.
 */
async function importInChunks<T>(
  rows: CsvRow[],
  writeChunk: ChunkWriter,
  check: (db: FundDatabase, rows: CsvRow[]) => CheckedRows<T>,
  insert: (tx: FundDatabase, valid: T[]) => string[],
  db: FundDatabase,
): Promise<ImportResult> {
  // A file of one chunk is checked once, in the transaction that writes it.
  if (rows.length > importChunkRows) {
    const { problems } = check(db, rows);
    if (problems.length > 0) refuse(problems, rows.length);
  }
  const ids: string[] = [];
  for (let start = 0; start < rows.length; start += importChunkRows) {
    const chunk = rows.slice(start, start + importChunkRows);
    try {
      ids.push(
        ...(await writeChunk(() =>
          db.transaction((tx) => {
            const { problems, valid } = check(tx, chunk);
            if (problems.length > 0) refuse(problems, rows.length);
            return insert(tx, valid);
          }),
        )),
      );
    } catch (error) {
      if (start === 0 || !(error instanceof DomainError)) throw error;
      const lastImported = rows[start - 1]?.line;
      throw new DomainError(
        'import_interrupted',
        `The fund changed while the file was being imported: ${ids.length} rows, up to line ${lastImported}, are in; from line ${chunk[0]?.line} on, nothing was imported. Correct those lines and import them again, without the lines already in.`,
        error.details,
      );
    }
  }
  return { imported: ids.length, ids };
}

function refuse(problems: ErrorDetail[], rowCount: number): never {
  const lines = new Set(problems.map((problem) => problem.path)).size;
  throw new DomainError('import_rows_invalid', `Nothing was imported: ${lines} of ${rowCount} rows have problems. Correct them and import the whole file again.`, problems);
}

const groupRowSchema = z.object({
  code,
  name,
  areaCode: z.string().trim().min(1, 'must not be empty'),
  formedOn: z.string().refine((text) => parseIsoDate(text) !== null, { message: 'must be a real date, YYYY-MM-DD or dd/mm/yyyy' }),
  meetingDay: z.number().int().min(1, 'must be a day of the month, 1 to 31').max(31, 'must be a day of the month, 1 to 31').optional(),
});

type ValidGroupRow = { code: string; name: string; areaId: string; formedOn: string; meetingDay?: number };

function checkGroupRows(context: ServiceContext, actor: Actor, tx: FundDatabase, rows: CsvRow[]): CheckedRows<ValidGroupRow> {
  const problems: ErrorDetail[] = [];
  const seenCodes = new Map<string, number>();
  const businessToday = today(context);
  const booksClosedThrough = closedThrough(tx);
  const valid: ValidGroupRow[] = [];
  for (const { line, values } of rows) {
    const meetingDayText = values.meetingDay?.trim() ?? '';
    const parsed = groupRowSchema.safeParse({
      ...values,
      formedOn: isoDateFrom(values.formedOn ?? ''),
      meetingDay: meetingDayText === '' ? undefined : /^\d+$/.test(meetingDayText) ? Number(meetingDayText) : meetingDayText,
    });
    if (!parsed.success) {
      problems.push(...issuesOf(line, parsed.error));
      continue;
    }
    const row = parsed.data;
    const rowProblems: string[] = [];
    const area = repo.findAreaByCode(tx, row.areaCode);
    if (!area) rowProblems.push(`areaCode: no area has the code ${row.areaCode}`);
    else if (area.level !== 'village') rowProblems.push(`areaCode: ${row.areaCode} is a ${area.level}; a group belongs to a village`);
    else if (!reachesArea(actor, area.path)) rowProblems.push(`areaCode: ${row.areaCode} is outside the areas you are assigned to`);
    const firstLine = seenCodes.get(row.code);
    if (firstLine !== undefined) rowProblems.push(`code: ${row.code} appears already on line ${firstLine}`);
    else if (repo.findGroupByCode(tx, row.code)) rowProblems.push(`code: a group with the code ${row.code} exists already`);
    seenCodes.set(row.code, firstLine ?? line);
    if (row.formedOn > businessToday) rowProblems.push(`formedOn: ${row.formedOn} is in the future`);
    else if (booksClosedThrough !== null && row.formedOn <= booksClosedThrough) rowProblems.push(`formedOn: must be after ${booksClosedThrough}, the books are closed through it`);
    if (rowProblems.length > 0 || !area) problems.push(...rowProblems.map((message) => ({ path: `line ${line}`, message })));
    else valid.push({ ...row, areaId: area.id });
  }
  return { problems, valid };
}

export function importGroups(context: ServiceContext, actor: Actor, csvText: string, writeChunk: ChunkWriter = writeNow): Promise<ImportResult> {
  requireRole(actor, ['admin', 'officer'], 'import groups');
  const rows = readCsv(csvText, groupColumns, requiredGroupFields);
  const officerId = actor.role === 'officer' ? actor.userId : null;
  return importInChunks(
    rows,
    writeChunk,
    (db, some) => checkGroupRows(context, actor, db, some),
    (tx, valid) => {
      const now = nowTimestamp(context);
      return valid.map((row) => insertNewGroup(tx, { ...row, officerId }, now).id);
    },
    context.db,
  );
}

type ValidMemberRow = { line: number; input: z.infer<typeof createMemberBody>; group: repo.GroupWithArea };

function checkMemberRows(context: ServiceContext, actor: Actor, tx: FundDatabase, rows: CsvRow[]): CheckedRows<ValidMemberRow> {
  const problems: ErrorDetail[] = [];
  const businessToday = today(context);
  const booksClosedThrough = closedThrough(tx);
  const { maxGroupMembers } = readSettings(tx);
  const groupsByCode = new Map<string, repo.GroupWithArea | null>();
  const groupOf = (groupCode: string) => {
    if (!groupsByCode.has(groupCode)) groupsByCode.set(groupCode, repo.findGroupByCode(tx, groupCode) ?? null);
    return groupsByCode.get(groupCode) ?? null;
  };
  const registered = repo.findMemberIdsByNationalIds(
    tx,
    rows.map((row) => row.values.nationalId ?? ''),
  );
  const seenNationalIds = new Map<string, number>();
  const joining = new Map<string, number>();
  const valid: ValidMemberRow[] = [];

  for (const { line, values } of rows) {
    const groupCode = values.groupCode ?? '';
    const group = groupOf(groupCode);
    const phone = values.phone?.replace(/[\s.]/g, '') ?? '';
    const candidate = {
      fullName: values.fullName,
      sex: sexWords[key(values.sex ?? '')] ?? values.sex,
      dateOfBirth: isoDateFrom(values.dateOfBirth ?? ''),
      nationalId: values.nationalId,
      ...(phone === '' ? {} : { phone }),
      ethnicity: ethnicityCodeFrom(values.ethnicity ?? '') ?? values.ethnicity,
      povertyStatus: povertyWords[key(values.povertyStatus ?? '')] ?? values.povertyStatus,
      groupId: group?.id ?? 'unknown',
      joinedOn: isoDateFrom(values.joinedOn ?? ''),
    };
    const parsed = createMemberBody.safeParse(candidate);
    const rowProblems: string[] = parsed.success ? [] : issuesOf(line, parsed.error).map((detail) => detail.message);
    if (!group) rowProblems.push(`groupCode: no group has the code ${groupCode}`);
    else if (!reachesGroup(actor, group)) rowProblems.push(`groupCode: group ${groupCode} is outside the areas you are assigned to`);
    const nationalId = values.nationalId ?? '';
    const firstLine = seenNationalIds.get(nationalId);
    if (firstLine !== undefined) rowProblems.push(`nationalId: ${nationalId} appears already on line ${firstLine}`);
    else if (registered.has(nationalId)) rowProblems.push(`nationalId: another member is registered with the CCCD ${nationalId}`);
    seenNationalIds.set(nationalId, firstLine ?? line);
    if (parsed.success && group) {
      for (const problem of memberAdmissionProblems(parsed.data, group, businessToday, booksClosedThrough)) {
        rowProblems.push(...problem.details.map((detail) => `${detail.path === 'groupId' ? 'groupCode' : detail.path}: ${detail.message} (${problem.message})`));
      }
    }
    if (group) joining.set(group.id, (joining.get(group.id) ?? 0) + 1);
    if (rowProblems.length > 0 || !parsed.success || !group) problems.push(...rowProblems.map((message) => ({ path: `line ${line}`, message })));
    else valid.push({ line, input: parsed.data, group });
  }

  const active = repo.activeMemberCounts(tx, [...joining.keys()]);
  for (const [groupId, count] of joining) {
    const group = [...groupsByCode.values()].find((candidate) => candidate?.id === groupId);
    const total = (active.get(groupId) ?? 0) + count;
    if (group && total > maxGroupMembers) {
      problems.push({ path: `group ${group.code}`, message: `would have ${total} members; the fund allows at most ${maxGroupMembers}` });
    }
  }
  return { problems, valid };
}

export function importMembers(context: ServiceContext, actor: Actor, csvText: string, writeChunk: ChunkWriter = writeNow): Promise<ImportResult> {
  requireRole(actor, ['admin', 'officer'], 'import members');
  const rows = readCsv(csvText, memberColumns, requiredMemberFields);
  return importInChunks(
    rows,
    writeChunk,
    (db, some) => checkMemberRows(context, actor, db, some),
    (tx, valid) => {
      const now = nowTimestamp(context);
      return valid.map(({ input, group }) => insertNewMember(tx, input, group.id, now).id);
    },
    context.db,
  );
}
