// Loan products: the terms loans are made on. Changing a product never reaches the loans already made on it,
// because each loan keeps its own copy of the terms.
import type { CurrencyCode } from '../../domain/money.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { newId } from '../shared/ids.js';
import { readSettings } from '../settings/settings.service.js';
import { type CreateProductInput, type ProductReply, type ProductTerms, type UpdateProductInput, productTerms } from './loan.commands.js';
import { requireValidTerms } from './loan-terms.js';
import * as repo from './loan.repo.js';

export function productReplyOf(row: repo.ProductRow): ProductReply {
  return { id: row.id, code: row.code, name: row.name, currency: row.currency, status: row.status, terms: termsOf(row.terms), createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** Stored terms are read back through the same schema that wrote them. */
// Terms are read on every movement of a loan and never change once stored: parse each stored text once.
const parsedTerms = new Map<string, ProductTerms>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function termsOf(stored: string): ProductTerms {
  let terms = parsedTerms.get(stored);
  if (!terms) {
    terms = deepFreeze(productTerms.parse(JSON.parse(stored)));
    if (parsedTerms.size >= 1000) parsedTerms.clear();
    parsedTerms.set(stored, terms);
  }
  return terms;
}

export function requireProduct(context: ServiceContext, id: string): repo.ProductRow {
  const product = repo.findProduct(context.db, id);
  if (!product) throw new DomainError('product_not_found', `No loan product has the id ${id}.`, [{ path: 'productId', message: 'unknown product' }]);
  return product;
}

export function createProduct(context: ServiceContext, actor: Actor, input: CreateProductInput): ProductReply {
  requireRole(actor, ['admin'], 'create loan products');
  const { code, name, currency: requested, ...terms } = input;
  const currency: CurrencyCode = readSettings(context.db).currency;
  // The fund keeps one currency: its ledger, savings and reports add amounts in that currency's minor unit.
  if (requested !== undefined && requested !== currency) {
    throw new DomainError('product_invalid', `The fund keeps its books in ${currency}: a loan product lends in ${currency} too.`, [{ path: 'currency', message: `must be ${currency}, the fund's currency` }]);
  }
  requireValidTerms(terms, currency);
  return context.db.transaction((tx) => {
    if (repo.findProductByCode(tx, code)) throw new DomainError('duplicate_code', `A loan product with the code ${code} exists already.`, [{ path: 'code', message: 'already used' }]);
    const now = nowTimestamp(context);
    const row: repo.ProductRow = { id: newId('lp'), code, name, currency, terms: JSON.stringify(terms), status: 'active', createdAt: now, updatedAt: now };
    repo.insertProduct(tx, row);
    return productReplyOf(row);
  });
}

export function updateProduct(context: ServiceContext, actor: Actor, id: string, input: UpdateProductInput): ProductReply {
  requireRole(actor, ['admin'], 'change loan products');
  return context.db.transaction((tx) => {
    const product = repo.findProduct(tx, id);
    if (!product) throw new DomainError('product_not_found', `No loan product has the id ${id}.`);
    const { name, status, ...changes } = input;
    const merged = productTerms.parse({ ...termsOf(product.terms), ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) });
    // A product quotes one rate: naming the other replaces it.
    if (changes.annualRate !== undefined) delete merged.monthlyRate;
    if (changes.monthlyRate !== undefined) delete merged.annualRate;
    requireValidTerms(merged, product.currency as CurrencyCode);
    const updated = { ...product, name: name ?? product.name, status: status ?? product.status, terms: JSON.stringify(merged), updatedAt: nowTimestamp(context) };
    repo.updateProduct(tx, id, updated);
    return productReplyOf(updated);
  });
}

export function getProduct(context: ServiceContext, id: string): ProductReply {
  return productReplyOf(requireProduct(context, id));
}

export function listProducts(context: ServiceContext): ProductReply[] {
  return repo.listProducts(context.db).map(productReplyOf);
}
