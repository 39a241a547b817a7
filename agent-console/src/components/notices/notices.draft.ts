import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import type { Lang } from '../../i18n.ts';
import { fromTokyoInput, tokyoInput } from '../../notices.format.ts';
import type { Campaign, CampaignDraft, Channels, NoticeType, NoticeTypeInfo, NoticeVariable, ShipmentTarget, Target } from '../../noticesApi.ts';
import type { Role } from '../../types.ts';

/** Who makes and sends notices; contractors read (the server says the same with 403). */
export const mayEdit = (role: Role) => role !== 'contractor';

export const typeName = (types: NoticeTypeInfo[] | undefined, type: NoticeType, lang: Lang) => types?.find((t) => t.type === type)?.name[lang] ?? type;

/** A new draft of a type: its example values, shown from now, banner and mail, every order (the person narrows it). */
export function starterDraft(t: NoticeTypeInfo, name: string): CampaignDraft {
  return {
    name,
    type: t.type,
    templateVersionId: null,
    variables: t.sample,
    startsAt: new Date().toISOString(),
    endsAt: null,
    channels: { banner: true, mail: true, chat: false },
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
  /** Each variable as typed (a list one item per line, a time on the Tokyo clock). */
  variables: Record<string, string>;
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

/** Where the form keeps a text's English, when it differs from the Japanese ({ ja, en }). */
export const englishKey = (name: string) => `${name}@en`;
/** Free text (one, or a list) may be given per language; a closed set of values is not. */
export const translatable = (v: NoticeVariable) => (v.kind === 'text' || v.kind === 'list') && !v.choices?.length;

type Bilingual = { ja: unknown; en?: unknown };
const isBilingual = (x: unknown): x is Bilingual => typeof x === 'object' && x !== null && 'ja' in x;
const jaOf = (x: unknown) => (isBilingual(x) ? String(x.ja) : typeof x === 'string' ? x : JSON.stringify(x));
const enOf = (x: unknown) => (isBilingual(x) && x.en !== undefined ? String(x.en) : '');

/** A variable's value for its input (the Japanese, for one given in both languages). */
function variableInput(v: NoticeVariable | undefined, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(jaOf).join('\n');
  if (v?.kind === 'datetime' && typeof value === 'string') return tokyoInput(value) || value;
  if (typeof value === 'number') return String(value);
  return jaOf(value);
}

/** The English beside it, '' when there is none (the Japanese is shown in both). */
function englishInput(value: unknown): string {
  if (Array.isArray(value)) return value.some((x) => enOf(x)) ? value.map(enOf).join('\n') : '';
  return enOf(value);
}

/** A variable's input as the schema wants it; what cannot be read goes as typed, so the server names the field. */
function variableValue(v: NoticeVariable | undefined, text: string, english = ''): unknown {
  const kind = v?.kind ?? 'text';
  if (kind === 'list') {
    // The English, line by line beside the Japanese; a line without one is shown as it is in both.
    const en = english.split(/\r?\n/).map((l) => l.trim());
    const ja = text.split(/\r?\n/).map((l) => l.trim());
    return ja.flatMap((j, i) => (j ? [en[i] ? { ja: j, en: en[i] } : j] : []));
  }
  const t = text.trim();
  if (kind === 'number') return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
  if (kind === 'datetime') return fromTokyoInput(t) ?? t;
  const en = english.trim();
  return en && t ? { ja: t, en } : t;
}

export function variablesForm(info: NoticeTypeInfo | undefined, values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const known = info?.variables ?? [];
  for (const v of known) {
    out[v.name] = variableInput(v, values[v.name]);
    if (translatable(v)) out[englishKey(v.name)] = englishInput(values[v.name]);
  }
  // A value the type does not list (a changed schema) stays, so the server can say so at its field.
  for (const [k, value] of Object.entries(values)) if (!(k in out)) out[k] = variableInput(undefined, value);
  return out;
}

export function formOf(c: Campaign, info: NoticeTypeInfo | undefined): EditorForm {
  const t = c.target;
  return {
    name: c.name,
    type: c.type,
    templateVersionId: c.templateVersionId,
    variables: variablesForm(info, c.variables),
    startsAt: tokyoInput(c.startsAt),
    endsAt: tokyoInput(c.endsAt),
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

export function variablesOf(info: NoticeTypeInfo | undefined, values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, text] of Object.entries(values)) {
    if (k.endsWith('@en')) continue;
    const v = info?.variables.find((x) => x.name === k);
    const value = variableValue(v, text, values[englishKey(k)]);
    // An optional field left empty is absent, not an empty string the template would print.
    if (value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[k] = value;
  }
  return out;
}

/** The form as the API's draft; an unreadable time goes as typed, for the server to name. */
export function draftOf(f: EditorForm, info: NoticeTypeInfo | undefined): CampaignDraft {
  return {
    name: f.name.trim(),
    type: f.type,
    templateVersionId: f.templateVersionId,
    variables: variablesOf(info, f.variables),
    startsAt: fromTokyoInput(f.startsAt) ?? f.startsAt,
    endsAt: f.endsAt ? (fromTokyoInput(f.endsAt) ?? f.endsAt) : null,
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
