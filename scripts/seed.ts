// npm run seed -- --scale province|national-lite|tenth|sample [--seed N] [--database FILE]
// Builds a synthetic fund through the service layer, reproducibly for a seed: provinces, communes and villages,
// groups formed over several years, members with Vietnamese names, loans of three products with on-time, late,
// partly paid, rescheduled and written-off histories, compulsory and voluntary savings, meeting-day repayments.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { addMonths, formatIsoDate, parseIsoDate } from '../src/domain/calendar.js';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { createUser } from '../src/modules/auth/auth.service.js';
import { createProductBody } from '../src/modules/loans/loan.commands.js';
import { applyLoan, approveLoan, disburseLoan, recordRepayment, rescheduleLoan, writeOffLoan } from '../src/modules/loans/loan.service.js';
import { createProduct } from '../src/modules/loans/product.service.js';
import { importMembers } from '../src/modules/registry/import.service.js';
import { createArea, createGroup } from '../src/modules/registry/registry.service.js';
import { deposit } from '../src/modules/savings/savings.service.js';
import { systemActor } from '../src/modules/shared/access.js';
import { businessDate, systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext } from '../src/modules/shared/context.js';
import { DomainError } from '../src/modules/shared/domain-error.js';
import { prepareFund } from '../src/modules/system/setup.service.js';

const scales = {
  sample: { provinces: 1, communesPerProvince: 2, groups: 12 },
  tenth: { provinces: 1, communesPerProvince: 17, groups: 500 },
  province: { provinces: 1, communesPerProvince: 170, groups: 5000 },
  'national-lite': { provinces: 10, communesPerProvince: 170, groups: 50000 },
} as const;

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'province' },
    seed: { type: 'string', default: '1' },
    database: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const scaleName = values.scale as keyof typeof scales;
if (!(scaleName in scales)) {
  console.error(`Unknown scale ${values.scale}: use ${Object.keys(scales).join(', ')}.`);
  process.exit(1);
}
const scale = scales[scaleName];
const seed = Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error('--seed takes a whole number.');
  process.exit(1);
}

/** mulberry32: a small, fast generator; the same seed builds the same fund. */
function generator(start: number) {
  let state = start >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    integer: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (probability: number) => next() < probability,
  };
}
const random = generator(seed);

const familyNames = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Hà', 'Lò', 'Triệu', 'Nông'];
const middleNames = ['Thị', 'Thị', 'Thị', 'Thị Thu', 'Thị Ngọc', 'Thị Minh', 'Thị Thanh', 'Thị Kim'];
const givenNames = ['Hoa', 'Lan', 'Mai', 'Hương', 'Hằng', 'Thu', 'Nga', 'Yến', 'Loan', 'Hạnh', 'Dung', 'Thủy', 'Phương', 'Linh', 'Trang', 'Nhung', 'Hiền', 'Huyền', 'Thảo', 'Oanh', 'Tâm', 'Vân', 'Xuân', 'Đào', 'Lụa', 'Mơ', 'Ánh', 'Quế'];
const maleGiven = ['Văn Hùng', 'Văn Nam', 'Đức Thắng', 'Văn Bình'];
const placeWords = ['Tân', 'Đồng', 'Phú', 'Yên', 'Hòa', 'Thuận', 'An', 'Bình', 'Minh', 'Thanh', 'Hưng', 'Long', 'Sơn', 'Lạc', 'Trung', 'Đông', 'Tây', 'Nam', 'Bắc', 'Phúc'];
const ethnicities = ['01', '01', '01', '01', '01', '01', '01', '01', '02', '03', '06', '07', '08', '09', '05'];
const povertyStatuses = ['poor', 'poor', 'poor', 'near_poor', 'near_poor', 'recently_out_of_poverty', 'other', 'other', 'other', 'other'];

const target = loadConfig({ ...process.env, ...(values.database ? { DATABASE_PATH: values.database } : {}) }, false);
if (existsSync(target.databasePath)) {
  console.error(`${target.databasePath} exists: seed into a new file (--database FILE) or remove it first.`);
  process.exit(1);
}
// The fund is built under another name and renamed when complete, so an interrupted seed never passes for a whole one.
const config = { ...target, databasePath: `${target.databasePath}.partial` };
for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.databasePath}${suffix}`, { force: true });
const database = openDatabase(config.databasePath);
migrateDatabase(database);
// A synthetic fund needs no power-cut durability while it is built: skip the fsync of each of its million commits.
database.sqlite.pragma('synchronous = OFF');
const context = createServiceContext(config, database.db, systemClock);
prepareFund(context, config.adminPassword ?? 'seed-admin-password');
const actor = systemActor();
const todayText = businessDate(new Date(), config.fundTimeZone);
const today = parseIsoDate(todayText) as number;

const started = performance.now();
const counts = { areas: 0, groups: 0, members: 0, loans: 0, repayments: 0, latePayments: 0, rescheduled: 0, writtenOff: 0, savings: 0, refused: 0 };
let lastDraw = 0;
function progress(stage: string, done: number, total: number) {
  if (values.quiet || !process.stdout.isTTY) return;
  const now = performance.now();
  if (now - lastDraw < 200 && done < total) return;
  lastDraw = now;
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  const seconds = ((now - started) / 1000).toFixed(0);
  process.stdout.write(`\r${stage.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${seconds}s  `);
}
const say = (text: string) => {
  if (!values.quiet) console.log(`${process.stdout.isTTY ? '\r' : ''}${text.padEnd(70)}`);
};

let keyCounter = 0;
const key = () => `seed-${seed}-${(keyCounter += 1)}`;

// Areas and officers
const villages: { id: string; code: string }[] = [];
const officers: string[] = [];
const villagesPerCommune = Math.max(1, Math.ceil(scale.groups / 3 / (scale.provinces * scale.communesPerProvince)));
for (let p = 0; p < scale.provinces; p += 1) {
  const province = createArea(context, actor, { code: `T${String(p + 1).padStart(2, '0')}`, name: `Tỉnh ${random.pick(placeWords)} ${random.pick(placeWords)}`, level: 'province' });
  counts.areas += 1;
  for (let c = 0; c < scale.communesPerProvince; c += 1) {
    const commune = createArea(context, actor, { code: `${province.code}-X${String(c + 1).padStart(3, '0')}`, name: `Xã ${random.pick(placeWords)} ${random.pick(placeWords)}`, level: 'commune', parentId: province.id });
    counts.areas += 1;
    for (let v = 0; v < villagesPerCommune; v += 1) {
      const village = createArea(context, actor, { code: `${commune.code}-T${String(v + 1).padStart(2, '0')}`, name: `Thôn ${random.pick(placeWords)} ${v + 1}`, level: 'village', parentId: commune.id });
      villages.push({ id: village.id, code: village.code });
      counts.areas += 1;
    }
    // One officer for every ten communes.
    if (c % 10 === 0) {
      const officer = createUser(context, actor, { username: `officer.${p + 1}.${c / 10 + 1}`, password: `officer-${seed}-${p}-${c}`, fullName: `${random.pick(familyNames)} Thị ${random.pick(givenNames)}`, role: 'officer', areaIds: [province.id] });
      officers.push(officer.id);
    }
    progress('areas', p * scale.communesPerProvince + c + 1, scale.provinces * scale.communesPerProvince);
  }
}
say(`Built ${counts.areas} areas and ${officers.length} officers.`);

// Products
const products = [
  createProduct(context, actor, createProductBody.parse({ code: 'SX12', name: 'Vay sản xuất 12 tháng', minPrincipal: '3000000', maxPrincipal: '30000000', minInstallments: 12, maxInstallments: 12, monthlyRate: '0.8', method: 'declining_equal_principal', rounding: { mode: 'half_up', installmentMultiple: '1000' }, compulsorySavingsPerInstallment: '20000' })),
  createProduct(context, actor, createProductBody.parse({ code: 'TG24', name: 'Vay trả góp 24 tháng', minPrincipal: '5000000', maxPrincipal: '40000000', minInstallments: 24, maxInstallments: 24, monthlyRate: '0.75', method: 'declining_equal_installment', rounding: { mode: 'half_up', installmentMultiple: '1000' }, compulsorySavingsPercentOfPrincipal: '2' })),
  createProduct(context, actor, createProductBody.parse({ code: 'NH06', name: 'Vay ngắn hạn 6 tháng', minPrincipal: '1000000', maxPrincipal: '10000000', minInstallments: 6, maxInstallments: 6, monthlyRate: '1', method: 'flat', overpayment: 'hold_credit' })),
];
const installmentsOf = [12, 24, 6];

// Groups and members: groups formed over the last seven years, members imported by CSV a thousand rows at a time.
const firstFormed = parseIsoDate(`${Number(todayText.slice(0, 4)) - 7}-01-01`) as number;
interface SeedGroup {
  id: string;
  code: string;
  formedOn: number;
  members: { id: string; joinedOn: number }[];
}
const seedGroups: SeedGroup[] = [];
let nationalCounter = 0;
const header = 'fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn,phone';
let pending: { line: string; group: SeedGroup; joinedOn: number; nationalId: string }[] = [];
const byNationalId = new Map<string, { group: SeedGroup; joinedOn: number }>();
async function flushMembers() {
  if (pending.length === 0) return;
  const result = await importMembers(context, actor, [header, ...pending.map((row) => row.line)].join('\n'));
  result.ids.forEach((id, index) => {
    const row = pending[index];
    if (row) row.group.members.push({ id, joinedOn: row.joinedOn });
  });
  counts.members += result.imported;
  pending = [];
}
for (let index = 0; index < scale.groups; index += 1) {
  const village = villages[index % villages.length] as { id: string; code: string };
  const formedOn = firstFormed + random.integer(0, today - firstFormed - 60);
  const group = createGroup(context, actor, {
    code: `${village.code}-G${String(Math.floor(index / villages.length) + 1).padStart(2, '0')}`,
    name: `Tổ TK&VV ${random.pick(placeWords)} ${index + 1}`,
    areaId: village.id,
    formedOn: formatIsoDate(formedOn),
    meetingDay: formedOn % 28 + 1,
    officerId: officers[index % officers.length] ?? undefined,
  });
  counts.groups += 1;
  const seedGroup: SeedGroup = { id: group.id, code: group.code, formedOn, members: [] };
  seedGroups.push(seedGroup);
  const size = random.integer(5, 13);
  for (let m = 0; m < size; m += 1) {
    const male = random.chance(0.04);
    const fullName = male ? `${random.pick(familyNames)} ${random.pick(maleGiven)}` : `${random.pick(familyNames)} ${random.pick(middleNames)} ${random.pick(givenNames)}`;
    const joinedOn = Math.min(today, formedOn + (m < 5 ? 0 : random.integer(0, 900)));
    const born = joinedOn - random.integer(20 * 365, 60 * 365);
    nationalCounter += 1;
    const nationalId = `0${String(seed % 100).padStart(2, '0')}${String(nationalCounter).padStart(9, '0')}`;
    const line = `${fullName},${male ? 'male' : 'female'},${formatIsoDate(born)},${nationalId},${random.pick(ethnicities)},${random.pick(povertyStatuses)},${group.code},${formatIsoDate(joinedOn)},09${String(random.integer(10000000, 99999999))}`;
    pending.push({ line, group: seedGroup, joinedOn, nationalId });
    byNationalId.set(nationalId, { group: seedGroup, joinedOn });
  }
  if (pending.length >= 1000) await flushMembers();
  progress('groups', index + 1, scale.groups);
}
await flushMembers();
say(`Formed ${counts.groups} groups with ${counts.members} members.`);

// Loans and their histories: each member borrows in turn, again after her loan closes, until today.
const behaviours = ['on_time', 'on_time', 'on_time', 'on_time', 'on_time', 'on_time', 'late', 'late', 'partial', 'rescheduled', 'defaulted'] as const;
const loanTarget = Math.round(scale.groups * 20);
let memberIndex = 0;
const allMembers = seedGroups.flatMap((group) => group.members.map((member) => ({ ...member, group })));

function payOn(loanId: string, amount: bigint, day: number): boolean {
  if (day > today || amount <= 0n) return false;
  try {
    recordRepayment(context, actor, loanId, { amount: amount.toString(), paidOn: formatIsoDate(day) }, { key: key(), route: 'seed' });
    counts.repayments += 1;
    return true;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    counts.refused += 1;
    return false;
  }
}

// Ten loans' whole histories are written in one outer transaction: the services' own transactions become savepoints
// inside it (a refused command still rolls back only itself), and the file takes one commit per ten loans, not five
// hundred (the pages every loan touches, the journal's end among them, are written to the WAL once a commit).
const inOneTransaction = (work: () => void) => database.sqlite.transaction(work)();
const loansPerCommit = 10;
while (counts.loans < loanTarget && allMembers.length > 0 && memberIndex <= allMembers.length * 30) {
  inOneTransaction(() => {
    for (let loan = 0; loan < loansPerCommit && counts.loans < loanTarget && memberIndex <= allMembers.length * 30; loan += 1) seedNextLoan();
  });
  progress('loans', counts.loans, loanTarget);
}

function seedNextLoan(): void {
  const member = allMembers[memberIndex % allMembers.length] as (typeof allMembers)[number];
  memberIndex += 1;
  const productIndex = random.integer(0, 2);
  const product = products[productIndex] as { id: string };
  const installments = installmentsOf[productIndex] as number;
  // The member's next loan starts after her previous one would have ended.
  const previousEnd = (member as { nextFree?: number }).nextFree ?? member.joinedOn + 15;
  const disbursedOn = previousEnd + random.integer(0, 120);
  if (disbursedOn > today - 20) return;
  const principal = BigInt(random.integer(productIndex === 2 ? 1 : 5, productIndex === 1 ? 40 : productIndex === 2 ? 10 : 30)) * 1_000_000n;
  const appliedOn = formatIsoDate(disbursedOn - 7);
  try {
    const loan = applyLoan(context, actor, { memberId: member.id, productId: product.id, principal: principal.toString(), installments, appliedOn, purpose: random.pick(['Chăn nuôi lợn', 'Trồng rau', 'Buôn bán nhỏ', 'Nuôi gà', 'Dệt thổ cẩm', 'Trồng chè']) });
    approveLoan(context, actor, loan.id, { decidedOn: formatIsoDate(disbursedOn - 3) });
    const disbursed = disburseLoan(context, actor, loan.id, { disbursedOn: formatIsoDate(disbursedOn) }, { key: key(), route: 'seed' }).body;
    counts.loans += 1;
    (member as { nextFree?: number }).nextFree = addMonths(disbursedOn, installments) + 10;
    const behaviour = random.pick(behaviours);
    let stoppedAt: number | null = null;
    for (const [index, line] of disbursed.schedule.entries()) {
      const dueOn = parseIsoDate(line.dueOn) as number;
      if (dueOn > today) break;
      const total = BigInt(line.totalDue);
      if (behaviour === 'defaulted' && index >= 3) {
        stoppedAt = dueOn;
        break;
      }
      if (behaviour === 'rescheduled' && index === 4) {
        // A flood: the installment is missed, and the rest is rescheduled a few weeks later.
        const effectiveOn = dueOn + 20;
        if (effectiveOn <= today) {
          rescheduleLoan(context, actor, loan.id, { effectiveOn: formatIsoDate(effectiveOn), installments: installments - index + 6, reason: 'Thiên tai' });
          counts.rescheduled += 1;
        }
        break;
      }
      if (behaviour === 'late' && random.chance(0.3)) {
        counts.latePayments += 1;
        payOn(loan.id, total + 50_000n, dueOn + random.integer(3, 40));
      } else if (behaviour === 'partial' && random.chance(0.3)) {
        const part = (total / 2n / 1000n) * 1000n;
        payOn(loan.id, part, dueOn);
        payOn(loan.id, total - part + 20_000n, dueOn + random.integer(5, 25));
      } else {
        payOn(loan.id, total, dueOn);
      }
      if (random.chance(0.25)) {
        deposit(context, actor, { memberId: member.id, kind: 'voluntary', input: { amount: String(random.integer(1, 20) * 10_000), paidOn: line.dueOn }, idempotencyKey: key(), route: 'seed' });
        counts.savings += 1;
      }
    }
    if (stoppedAt !== null && stoppedAt + 400 <= today && random.chance(0.5)) {
      writeOffLoan(context, actor, loan.id, { writtenOffOn: formatIsoDate(stoppedAt + 400), reason: 'Không có khả năng trả nợ' }, { key: key(), route: 'seed' });
      counts.writtenOff += 1;
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    counts.refused += 1;
  }
}

database.sqlite.pragma('synchronous = FULL');
database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
database.close();
for (const suffix of ['-wal', '-shm']) rmSync(`${config.databasePath}${suffix}`, { force: true });
renameSync(config.databasePath, target.databasePath);
const seconds = (performance.now() - started) / 1000;
say(`Seeded ${scaleName} (seed ${seed}) into ${target.databasePath} in ${seconds.toFixed(1)} s:`);
console.table(counts);
if (counts.loans === 0) {
  rmSync(target.databasePath, { force: true });
  process.exit(1);
}
