/**
 * The shop's saved column mapping for order files no preset knows: read, replace, forget. Checked
 * before it is stored, so an import with it never fails on the mapping itself.
 */
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { invalidInput } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { unmappedRequired } from './orders.csv.layout.ts';
import { columns, fields, headerKey, type Field } from './orders.csv.rows.ts';
import { deleteMapping, findMapping, saveMapping, type MappingRow } from './orders.mapping.repository.ts';
import type { ImportMappingInput, ImportMappingView } from './orders.schema.ts';

/** Mappings are the merchant's own setup: owners and staff. */
export const requireMappingEditor = (actor: Actor) => requireRole(actor, 'owner', 'staff');

/** Every field a mapping can fill, for the console's mapping step. */
export const importFieldInfo = () =>
  fields.map((f) => ({ field: f, required: columns[f].required, level: columns[f].level, ja: columns[f].ja, en: columns[f].en }));

const view = (m: MappingRow | null): ImportMappingView | null =>
  m && { name: m.name, columns: m.columns, defaults: m.defaults ?? {}, updatedAt: m.updatedAt.toISOString() };

export async function getImportMapping(db: Db, actor: Actor) {
  requireMappingEditor(actor);
  return { mapping: view(await findMapping(db, actor.shopId)), fields: importFieldInfo() };
}

interface Detail {
  in: 'body';
  path: string;
  message: string;
  ja: string;
  missing?: Field[];
}

/** Each header once, every header in the file (when its header row is given), every required field covered. */
export function checkMapping(input: ImportMappingInput): Detail[] {
  const details: Detail[] = [];
  const entries = Object.entries(input.columns) as [Field, string][];
  const seen = new Map<string, Field>();
  for (const [f, h] of entries) {
    const other = seen.get(headerKey(h));
    if (other) {
      details.push({
        in: 'body',
        path: `columns.${f}`,
        message: `the column "${h}" is mapped to both ${other} and ${f}; a column fills one field`,
        ja: `列「${h}」が ${columns[other].ja}（${other}）と ${columns[f].ja}（${f}）の両方に割り当てられています。1つの列は1つの項目にだけ使えます`,
      });
    } else seen.set(headerKey(h), f);
  }
  if (input.headers) {
    const inFile = new Set(input.headers.map(headerKey));
    for (const [f, h] of entries) {
      if (!inFile.has(headerKey(h))) {
        details.push({ in: 'body', path: `columns.${f}`, message: `the file has no column "${h}"`, ja: `ファイルに列「${h}」がありません` });
      }
    }
  }
  const missing = unmappedRequired(input.columns, input.defaults);
  if (missing.length) {
    details.push({
      in: 'body',
      path: 'columns',
      message: `required fields are not mapped: ${missing.join(', ')}`,
      ja: `必須の項目に列が割り当てられていません：${missing.map((f) => columns[f].ja).join('、')}`,
      missing,
    });
  }
  return details;
}

export async function putImportMapping(db: Db, actor: Actor, input: ImportMappingInput, requestId?: string) {
  requireRole(actor, 'owner', 'staff');
  const details = checkMapping(input);
  if (details.length) throw invalidInput(details[0]!.message, details);
  const columnsWritten = Object.fromEntries(Object.entries(input.columns).map(([f, h]) => [f, h!.trim()]));
  const saved = await db.transaction(async (tx) => {
    const row = await saveMapping(tx, actor.shopId, { name: input.name ?? null, columns: columnsWritten, defaults: input.defaults ?? {} }, actor.userId);
    await recordAudit(tx, actor, { action: 'orders.import_mapping.saved', objectType: 'order_import_mapping', summary: { fields: Object.keys(columnsWritten), defaults: input.defaults ?? {} } }, requestId);
    return row;
  });
  return { mapping: view(saved), fields: importFieldInfo() };
}

export async function deleteImportMapping(db: Db, actor: Actor, requestId?: string): Promise<void> {
  requireMappingEditor(actor);
  // The change and its audit row together, or neither.
  await db.transaction(async (tx) => {
    if (await deleteMapping(tx, actor.shopId)) {
      await recordAudit(tx, actor, { action: 'orders.import_mapping.deleted', objectType: 'order_import_mapping' }, requestId);
    }
  });
}
