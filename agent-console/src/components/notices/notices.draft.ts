import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import type { Lang } from '../../i18n.ts';
import type { Campaign, CampaignDraft, Channels, NoticeType, NoticeTypeInfo, ShipmentTarget, Target } from '../../noticesApi.ts';
import { fromTokyoLocal, toForm, toVariables, tokyoLocal, type FormValues } from './templates/variables.ts';
import type { Role } from '../../types.ts';

/** Who makes and sends notices; contractors read (the server says the same with 403). */
export const mayEdit = (role: Role) => role !== 'contractor';

export const typeName = (types: NoticeTypeInfo[] | undefined, type: NoticeType, lang: Lang) => types?.find((t) => t.type === type)?.name[lang] ?? type;

/** A new draft of a type: its example values, shown from now, the type's channels (no banner for a notice about customers' own orders), every order (the person narrows it). */
export function starterDraft(t: NoticeTypeInfo, name: string): CampaignDraft {
  return {
    name,
    type: t.type,
    templateVersionId: null,
    variables: t.sample,
    startsAt: new Date().toISOString(),
    endsAt: null,
    channels: { ...t.channels },
    target: {},
  };
}

/** The target as the form holds it: lists one entry per line, as pasted. */
export interface TargetForm {
  orderedFrom: string;
  orderedTo: string;
  carriers: string;
  prefectures: string[];
  postcodePrefixes: string;
  routes: { from: string; to: string }[];
  shipment: ShipmentTarget;
  orderNumbers: string;
}

/** The editor's state: strings for every input, turned into the API's shapes by {@link draftOf}. */
export interface EditorForm {
  name: string;
  type: NoticeType;
  templateVersionId: string | null;
  /** Each variable as the template pages' form holds it (templates/variables.ts). */
  variables: FormValues;
  startsAt: string;
  endsAt: string;
  channels: Channels;
  target: TargetForm;
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function formOf(c: Campaign, info: NoticeTypeInfo | undefined): EditorForm {
  const t = c.target;
  return {
    name: c.name,
    type: c.type,
    templateVersionId: c.templateVersionId,
    variables: toForm(info?.variables ?? [], c.variables),
    startsAt: tokyoLocal(c.startsAt),
    endsAt: c.endsAt ? tokyoLocal(c.endsAt) : '',
    channels: { ...c.channels },
    target: {
      orderedFrom: t.orderedFrom ?? '',
      orderedTo: t.orderedTo ?? '',
      carriers: (t.carriers ?? []).join('\n'),
      prefectures: t.prefectures ?? [],
      postcodePrefixes: (t.postcodePrefixes ?? []).join('\n'),
      routes: t.routes ?? [],
      shipment: t.shipment ?? 'any',
      orderNumbers: (t.orderNumbers ?? []).join('\n'),
    },
  };
}

/** The target the API reads: empty criteria left out (they mean "any"). */
export function targetOf(f: TargetForm): Target {
  const t: Target = {};
  if (f.orderedFrom) t.orderedFrom = f.orderedFrom;
  if (f.orderedTo) t.orderedTo = f.orderedTo;
  const carriers = lines(f.carriers);
  if (carriers.length) t.carriers = carriers;
  if (f.prefectures.length) t.prefectures = f.prefectures;
  const postcodes = lines(f.postcodePrefixes);
  if (postcodes.length) t.postcodePrefixes = postcodes;
  const routes = f.routes.filter((r) => r.from || r.to);
  if (routes.length) t.routes = routes;
  if (f.shipment !== 'any') t.shipment = f.shipment;
  const numbers = lines(f.orderNumbers);
  if (numbers.length) t.orderNumbers = numbers;
  return t;
}

/** The form as the API's draft. */
export function draftOf(f: EditorForm, info: NoticeTypeInfo | undefined): CampaignDraft {
  return {
    name: f.name.trim(),
    type: f.type,
    templateVersionId: f.templateVersionId,
    variables: toVariables(info?.variables ?? [], f.variables),
    // An empty start goes as it is, for the server to name the field.
    startsAt: f.startsAt ? fromTokyoLocal(f.startsAt) : '',
    endsAt: f.endsAt ? fromTokyoLocal(f.endsAt) : null,
    channels: f.channels,
    target: targetOf(f.target),
  };
}

/** Only what changed goes in the PATCH: another person's change to another field is not written over. */
export function changes(now: CampaignDraft, saved: CampaignDraft): Partial<CampaignDraft> {
  const patch: Partial<CampaignDraft> = {};
  for (const k of Object.keys(now) as (keyof CampaignDraft)[]) {
    if (JSON.stringify(now[k]) !== JSON.stringify(saved[k])) (patch as Record<string, unknown>)[k] = now[k];
  }
  return patch;
}

/**
 * A 400's details by field: the zod-style list the API answers everywhere, or the renderer's
 * `{ fields: [...] }` / `{ fields: { path: message } }` (CONTRACT13 allows either).
 */
export function noticeErrors(details: unknown, lang: Lang): FieldErrors {
  if (Array.isArray(details)) return fieldErrors(details, lang);
  const fields = (details as { fields?: unknown } | null)?.fields;
  if (Array.isArray(fields)) return fieldErrors(fields, lang);
  if (fields && typeof fields === 'object') {
    return fieldErrors(
      Object.entries(fields as Record<string, unknown>).flatMap(([path, v]) => (Array.isArray(v) ? v : [v]).map((message) => (typeof message === 'string' ? { path, message } : { path, ...(message as object) }))),
      lang,
    );
  }
  return new Map();
}
