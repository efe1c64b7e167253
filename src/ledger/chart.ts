// The fund's chart of accounts, shipped as data: code, Vietnamese and English names, type and normal side.
// Codes follow the shape of the Vietnamese chart for microfinance (1 assets, 2 loans, 3-4 liabilities and funds,
// 7 income, 8 expenses), kept short because a fund's books have few accounts.

export type AccountType = 'asset' | 'liability' | 'equity' | 'income' | 'expense';
export type Side = 'debit' | 'credit';

export interface Account {
  code: string;
  nameVi: string;
  nameEn: string;
  type: AccountType;
  normalSide: Side;
}

export const accountCodes = {
  cash: '1011',
  loansToMembers: '2111',
  loanLossProvision: '2191',
  memberCredit: '4591',
  compulsorySavings: '4211',
  voluntarySavings: '4212',
  fundCapital: '3111',
  interestIncome: '7021',
  penaltyIncome: '7022',
  recoveryIncome: '7091',
  provisionExpense: '8823',
} as const;

export type AccountCode = (typeof accountCodes)[keyof typeof accountCodes];

export const chartOfAccounts: readonly Account[] = [
  { code: '1011', nameVi: 'Tiền mặt', nameEn: 'Cash', type: 'asset', normalSide: 'debit' },
  { code: '2111', nameVi: 'Cho vay thành viên', nameEn: 'Loans to members', type: 'asset', normalSide: 'debit' },
  { code: '2191', nameVi: 'Dự phòng rủi ro cho vay', nameEn: 'Loan-loss provision', type: 'asset', normalSide: 'credit' },
  { code: '3111', nameVi: 'Vốn của quỹ', nameEn: 'Fund capital', type: 'equity', normalSide: 'credit' },
  { code: '4211', nameVi: 'Tiết kiệm bắt buộc của thành viên', nameEn: 'Members’ compulsory savings', type: 'liability', normalSide: 'credit' },
  { code: '4212', nameVi: 'Tiết kiệm tự nguyện của thành viên', nameEn: 'Members’ voluntary savings', type: 'liability', normalSide: 'credit' },
  { code: '4591', nameVi: 'Tiền trả trước của thành viên', nameEn: 'Members’ advance payments held', type: 'liability', normalSide: 'credit' },
  { code: '7021', nameVi: 'Thu lãi cho vay', nameEn: 'Interest income on loans', type: 'income', normalSide: 'credit' },
  { code: '7022', nameVi: 'Thu lãi phạt quá hạn', nameEn: 'Penalty and late interest income', type: 'income', normalSide: 'credit' },
  { code: '7091', nameVi: 'Thu nợ đã xử lý rủi ro', nameEn: 'Recoveries of written-off loans', type: 'income', normalSide: 'credit' },
  { code: '8823', nameVi: 'Chi phí dự phòng rủi ro cho vay', nameEn: 'Loan-loss provision expense', type: 'expense', normalSide: 'debit' },
];

const byCode = new Map(chartOfAccounts.map((account) => [account.code, account]));

export function accountByCode(code: string): Account | undefined {
  return byCode.get(code);
}
