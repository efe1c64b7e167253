// The lists forms choose from (areas, villages, products, ethnicities), read through the same services as the API and
// narrowed to what the signed-in actor reaches, so a phone never downloads a province's 1,700 villages at once.
import { ethnicities } from '../domain/ethnicities.js';
import { listProducts } from '../modules/loans/product.service.js';
import type { AreaReply } from '../modules/registry/registry.commands.js';
import * as registry from '../modules/registry/registry.service.js';
import { type Actor, assignedAreaIds } from '../modules/shared/access.js';
import type { ServiceContext } from '../modules/shared/context.js';
import type { Page } from './page.js';
import type { Choice } from './views/components.js';

/** Every page of a cursor list (areas are few per parent; the loop is bounded by the data). */
function allAreas(context: ServiceContext, query: { parentId?: string; level?: AreaReply['level'] }): AreaReply[] {
  const areas: AreaReply[] = [];
  let cursor: string | undefined;
  do {
    const page = registry.listAreas(context, { ...query, limit: 200, cursor });
    areas.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return areas;
}

/** Whether a user sees an area: an admin and an auditor every one, an officer those on her assigned paths. */
function reaches(actor: Actor, areaId: string): boolean {
  return actor.role === 'admin' || actor.role === 'auditor' || actor.areaPaths.some((path) => path.split('/').includes(areaId));
}

/** Province and communes, for a report's or a list's area filter. */
export function reportAreaChoices(context: ServiceContext, page: Page & { actor: Actor }): Choice[] {
  const provinces = allAreas(context, { level: 'province' }).filter((area) => reaches(page.actor, area.id) && (page.actor.role !== 'officer' || assignedAreaIds(page.actor).includes(area.id)));
  const communes = allAreas(context, { level: 'commune' }).filter((area) => reaches(page.actor, area.id));
  return [...provinces, ...communes].map((area) => ({ value: area.id, label: areaLabel(page, area) }));
}

/** An area as the pickers name it: its level, name and code. */
function areaLabel(page: Page, area: AreaReply): string {
  return `${page.t.levels[area.level]} ${area.name} (${area.code})`;
}

/**
 * The areas a user's page offers for an officer: the province and communes, and whatever other area she already has
 * (a village given through the API), so that saving her page keeps her scope as it was.
 */
export function officerAreaChoices(context: ServiceContext, page: Page & { actor: Actor }, current: readonly string[]): Choice[] {
  const choices = reportAreaChoices(context, page);
  const listed = new Set(choices.map((choice) => choice.value));
  for (const id of current) {
    if (listed.has(id)) continue;
    const area = registry.getArea(context, id);
    choices.push({ value: area.id, label: areaLabel(page, area) });
  }
  return choices;
}

/** The villages a group can be formed in: those below the officer's areas, or below one commune for the admin. */
export function villageChoices(context: ServiceContext, page: Page & { actor: Actor }, communeId: string | undefined): Choice[] {
  let villages: AreaReply[];
  if (page.actor.role === 'officer') {
    villages = assignedAreaIds(page.actor).flatMap((id) => {
      const area = registry.getArea(context, id);
      if (area.level === 'village') return [area];
      if (area.level === 'commune') return allAreas(context, { parentId: id, level: 'village' });
      return allAreas(context, { parentId: id, level: 'commune' }).flatMap((commune) => allAreas(context, { parentId: commune.id, level: 'village' }));
    });
  } else {
    villages = communeId ? allAreas(context, { parentId: communeId, level: 'village' }) : [];
  }
  return villages.map((village) => ({ value: village.id, label: `${village.name} (${village.code})` }));
}

export function communeChoices(context: ServiceContext): Choice[] {
  return allAreas(context, { level: 'commune' }).map((area) => ({ value: area.id, label: `${area.name} (${area.code})` }));
}

export function productChoices(context: ServiceContext, options: { activeOnly: boolean }): Choice[] {
  return listProducts(context)
    .filter((product) => !options.activeOnly || product.status === 'active')
    .map((product) => ({ value: product.id, label: `${product.name} (${product.code})` }));
}

export function ethnicityChoices(): Choice[] {
  return ethnicities.map((ethnicity) => ({ value: ethnicity.code, label: ethnicity.name }));
}

export function enumChoices<K extends string>(values: readonly K[], labels: Record<K, string>): Choice[] {
  return values.map((key) => ({ value: key, label: labels[key] }));
}
