// Requests and replies of loan products and loans.
import { z } from 'zod';
import { dayCounts } from '../../domain/day-count.js';
import { currencyCodes, roundingModeNames } from '../../domain/money.js';
import { monthlyToAnnualConversions } from '../../domain/rates.js';
import { frequencyUnits, scheduleMethods } from '../../domain/schedule.js';
import { loanStatuses } from '../../../db/schema.js';
import { amount, code, entityId, freeText, isoDate, name, reason, timestamp } from '../shared/schemas.js';

const decimal = (description: string) =>
  z
    .string()
    .max(24)
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "1.30" (no sign, no exponent)')
    .meta({ description });

export const overdueAllocationOrders = ['principal_interest_penalty', 'penalty_interest_principal'] as const;
export const currentAllocationOrders = ['interest_principal', 'principal_interest'] as const;
export const overpaymentRules = ['prepay', 'hold_credit'] as const;

/** The terms a product sets; every field has the fund's usual default. Stored as JSON and copied onto each loan. */
export const productTermsShape = {
  minPrincipal: amount,
  maxPrincipal: amount,
  minInstallments: z.number().int().min(1).max(600),
  maxInstallments: z.number().int().min(1).max(600),
  annualRate: decimal('Annual nominal rate in percent, e.g. "9.6"').optional(),
  monthlyRate: decimal('Monthly rate in percent, e.g. "0.8"').optional(),
  monthlyToAnnual: z.enum(monthlyToAnnualConversions).default('x12'),
  method: z.enum(scheduleMethods),
  frequency: z.strictObject({ every: z.number().int().min(1).max(366), unit: z.enum(frequencyUnits) }).default({ every: 1, unit: 'month' }),
  dayCount: z.enum(dayCounts).default('actual/365'),
  rounding: z.strictObject({ mode: z.enum(roundingModeNames).default('half_up'), installmentMultiple: amount.optional() }).default({ mode: 'half_up' }),
  graceOnPrincipal: z.number().int().min(0).max(599).default(0),
  graceOnInterestPayment: z.number().int().min(0).max(599).default(0),
  overdueMultiplier: decimal('Penalty interest on overdue principal as a multiple of the in-term rate; at most 1.50').default('1.30'),
  lateInterestAnnualRate: decimal('Interest on overdue unpaid interest, percent a year; at most 10').default('0'),
  overdueAllocationOrder: z.enum(overdueAllocationOrders).default('principal_interest_penalty'),
  currentAllocationOrder: z.enum(currentAllocationOrders).default('interest_principal'),
  overpayment: z.enum(overpaymentRules).default('prepay').meta({ description: 'Beyond the next installment: prepay the last installments’ principal, or hold_credit: pay the following installments ahead, in their order' }),
  compulsorySavingsPercentOfPrincipal: decimal('Withheld from the disbursement into compulsory savings, percent').default('0'),
  compulsorySavingsPerInstallment: amount.default('0').meta({ description: 'Compulsory savings collected with each installment' }),
};

export const productTerms = z.strictObject(productTermsShape);
export type ProductTerms = z.infer<typeof productTerms>;

export const createProductBody = z.strictObject({ code, name, currency: z.enum(currencyCodes).optional(), ...productTermsShape });
export type CreateProductInput = z.infer<typeof createProductBody>;

const partialTerms = Object.fromEntries(Object.entries(productTermsShape).map(([key, schema]) => [key, (schema as z.ZodType).optional()])) as {
  [K in keyof typeof productTermsShape]: z.ZodOptional<(typeof productTermsShape)[K]>;
};
export const updateProductBody = z
  .strictObject({ name: name.optional(), status: z.enum(['active', 'retired']).optional(), ...partialTerms })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export type UpdateProductInput = z.infer<typeof updateProductBody>;

export const productReply = z
  .object({ id: z.string(), code: z.string(), name: z.string(), currency: z.string(), status: z.enum(['active', 'retired']), terms: productTerms, createdAt: timestamp, updatedAt: timestamp })
  .meta({ id: 'LoanProduct' });
export type ProductReply = z.infer<typeof productReply>;

export const applyLoanBody = z.strictObject({
  memberId: entityId,
  productId: entityId,
  principal: amount,
  installments: z.number().int().min(1).max(600),
  appliedOn: isoDate,
  purpose: freeText(500).pipe(z.string().min(1, 'must not be empty')),
  graceOnPrincipal: z.number().int().min(0).max(599).optional(),
});
export type ApplyLoanInput = z.infer<typeof applyLoanBody>;

export const decisionBody = z.strictObject({ decidedOn: isoDate.optional().meta({ description: 'Today if left out' }), note: freeText(500).optional() });
export const refusalBody = z.strictObject({ decidedOn: isoDate.optional(), reason });
export const disburseBody = z.strictObject({ disbursedOn: isoDate, firstDueOn: isoDate.optional() });
export const repaymentBody = z.strictObject({ amount, paidOn: isoDate, note: freeText(500).optional() });
export type RepaymentInput = z.infer<typeof repaymentBody>;
export const reverseBody = z.strictObject({ reason });
export const rescheduleBody = z.strictObject({ effectiveOn: isoDate, installments: z.number().int().min(1).max(600), reason });
export const writeOffBody = z.strictObject({ writtenOffOn: isoDate, reason });
export const applySavingsBody = z.strictObject({ amount, paidOn: isoDate, note: freeText(500).optional() });

export const listLoansQuery = z.strictObject({
  memberId: entityId.optional(),
  groupId: entityId.optional(),
  areaId: entityId.optional(),
  status: z.enum(loanStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListLoansQuery = z.infer<typeof listLoansQuery>;

const money = z.string();
export const allocationReply = z.object({
  principal: money,
  interest: money,
  penalty: money,
  lateInterest: money,
  creditAdded: money,
  creditUsed: money,
});

export const loanTransactionReply = z
  .object({
    id: z.string(),
    type: z.enum(['disbursement', 'repayment', 'write_off', 'recovery']),
    amount: money,
    date: z.string(),
    note: z.string().nullable(),
    collectionSheetId: z.string().nullable(),
    reversed: z.boolean(),
    reversalReason: z.string().nullable(),
    allocation: allocationReply.nullable(),
    recordedAt: timestamp,
  })
  .meta({ id: 'LoanTransaction' });

export const scheduleLineReply = z.object({
  number: z.number().int(),
  dueOn: z.string(),
  principalDue: money,
  interestDue: money,
  totalDue: money,
  principalPaid: money,
  interestPaid: money,
  interestWaived: money,
  principalOutstanding: money,
  interestOutstanding: money,
});

export const balancesReply = z.object({
  principalDisbursed: money,
  principalPaid: money,
  principalOutstanding: money,
  principalWrittenOff: money,
  interestPaid: money,
  penaltyPaid: money,
  overduePrincipal: money,
  overdueInterest: money,
  penaltyAccrued: money,
  lateInterestAccrued: money,
  creditHeld: money,
  recovered: money,
  daysPastDue: z.number().int(),
});

export const loanReply = z
  .object({
    id: z.string(),
    memberId: z.string(),
    memberName: z.string(),
    groupId: z.string(),
    productId: z.string(),
    currency: z.string(),
    principal: money,
    installments: z.number().int(),
    purpose: z.string(),
    status: z.enum(loanStatuses),
    terms: productTerms,
    appliedOn: z.string(),
    decidedOn: z.string().nullable(),
    decisionNote: z.string().nullable(),
    disbursedOn: z.string().nullable(),
    closedOn: z.string().nullable(),
    writtenOffOn: z.string().nullable(),
    rescheduleCount: z.number().int(),
    asOf: z.string(),
    scheduleVersion: z.number().int().nullable(),
    schedule: z.array(scheduleLineReply),
    transactions: z.array(loanTransactionReply),
    balances: balancesReply,
  })
  .meta({ id: 'Loan' });

export const loanSummaryReply = z
  .object({
    id: z.string(),
    memberId: z.string(),
    groupId: z.string(),
    productId: z.string(),
    currency: z.string(),
    principal: money,
    installments: z.number().int(),
    status: z.enum(loanStatuses),
    appliedOn: z.string(),
    disbursedOn: z.string().nullable(),
    rescheduleCount: z.number().int(),
  })
  .meta({ id: 'LoanSummary' });

export const repaymentReply = z
  .object({
    transaction: loanTransactionReply,
    allocation: allocationReply,
    reposted: z.array(z.object({ transactionId: z.string(), allocation: allocationReply })).meta({ description: 'Later repayments whose split this one changed' }),
    balances: balancesReply,
    loanStatus: z.enum(loanStatuses),
  })
  .meta({ id: 'RepaymentResult' });

export const payoffReply = z.object({
  loanId: z.string(),
  asOf: z.string(),
  principal: money,
  interest: money,
  penalty: money,
  lateInterest: money,
  creditHeld: money,
  total: money,
});
