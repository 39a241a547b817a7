import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { peopleSettingsMessages } from '../../i18n.settings.people.ts';
import { settingsPeopleApi, type ShopProfilePatch } from '../../settingsPeopleApi.ts';
import type { ShopView } from '../../types.ts';
import { fieldErrors, readable, type FieldErrors } from '../../fieldErrors.ts';
import { useUnsavedWarning } from './useUnsavedWarning.ts';
import '../../settings.people.css';
import { SaveBar, type SaveStatus } from './SaveBar.tsx';

/** Japan first (most shops), then the zones of the neighbours and markets a small shop sells to. The server checks any IANA name. */
export const commonTimezones = [
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Shanghai',
  'Asia/Taipei',
  'Asia/Hong_Kong',
  'Asia/Singapore',
  'Asia/Bangkok',
  'Asia/Ho_Chi_Minh',
  'Asia/Kolkata',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Honolulu',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'UTC',
] as const;

interface Draft {
  name: string;
  timezone: string;
  locale: 'ja' | 'en';
  /** '' in the form: no sender name of its own (null on the server). */
  mailSenderName: string;
  /** '' in the form: none set (null on the server). */
  noticeContact: string;
}

const draftOf = (s: ShopView): Draft => ({ name: s.name, timezone: s.timezone, locale: s.locale, mailSenderName: s.mailSenderName ?? '', noticeContact: s.noticeContact ?? '' });

/** Only what changed goes in the PATCH: another owner's change to another field is not written over. */
function changes(d: Draft, shop: ShopView): ShopProfilePatch {
  const patch: ShopProfilePatch = {};
  if (d.name !== shop.name) patch.name = d.name;
  if (d.timezone !== shop.timezone) patch.timezone = d.timezone;
  if (d.locale !== shop.locale) patch.locale = d.locale;
  const sender = d.mailSenderName.trim() === '' ? null : d.mailSenderName;
  if (sender !== shop.mailSenderName) patch.mailSenderName = sender;
  const contact = d.noticeContact.trim() === '' ? null : d.noticeContact;
  if (contact !== shop.noticeContact) patch.noticeContact = contact;
  return patch;
}

/**
 * The shop's name, time zone, language, the sender name of its customer mail and the contact its
 * delay notices print. Owners edit;
 * the server's schema judges the form and its messages show beside the fields, in the reader's
 * language. Leaving with changes unsaved asks first. Others read.
 */
export function ShopProfileSection({ shop, canEdit, onSaved }: { shop: ShopView; canEdit: boolean; onSaved: (shop: ShopView) => void }) {
  const lang = useLang();
  const m = peopleSettingsMessages[lang].profile;
  const c = peopleSettingsMessages[lang].common;
  const [draft, setDraft] = useState<Draft>(() => draftOf(shop));
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [status, setStatus] = useState<SaveStatus>('idle');

  const patch = changes(draft, shop);
  const dirty = Object.keys(patch).length > 0;
  useUnsavedWarning(canEdit && dirty, c.leave);

  const edit = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setStatus('idle');
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (status === 'saving' || !dirty) return;
    const sent = draft;
    setStatus('saving');
    try {
      const saved = await settingsPeopleApi.saveProfile(shop.id, patch);
      setErrors(new Map());
      // What the server kept (names trimmed) if the form is still what was sent; typed into since, it stays as typed.
      setDraft((d) => (d === sent ? draftOf(saved) : d));
      setStatus('saved');
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details));
        setStatus('idle');
      } else setStatus(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'failed');
    }
  };

  if (!canEdit) {
    return (
      <section className="settings-section" aria-labelledby="settings-profile" data-testid="settings-profile">
        <h2 id="settings-profile">{m.title}</h2>
        <dl className="settings-facts" data-testid="profile-read">
          <dt>{m.name}</dt>
          <dd>{shop.name}</dd>
          <dt>{m.timezone}</dt>
          <dd>{shop.timezone}</dd>
          <dt>{m.locale}</dt>
          <dd>{shop.locale === 'ja' ? m.localeJa : m.localeEn}</dd>
          <dt>{m.sender}</dt>
          <dd>{shop.mailSenderName ?? m.senderNone}</dd>
          <dt>{m.noticeContact}</dt>
          <dd className="settings-multiline" data-testid="profile-notice-contact-read">
            {shop.noticeContact ?? m.noticeContactNone}
          </dd>
        </dl>
        <p className="muted">{m.readOnly}</p>
      </section>
    );
  }

  const zones: readonly string[] = commonTimezones.includes(draft.timezone as (typeof commonTimezones)[number]) ? commonTimezones : [draft.timezone, ...commonTimezones];
  /** In the reader's language at render: the messages follow the language toggle. */
  const errorOf = (path: string) => [...new Set((errors.get(path) ?? []).map((e) => readable(e, lang)))].join(' ');
  /** The props that tie a field to its error, when it has one. */
  const described = (path: string) => (errorOf(path) ? { 'aria-invalid': true as const, 'aria-describedby': `profile-${path}-error` } : {});
  const fieldError = (path: string) =>
    errorOf(path) ? (
      <span className="field-error" id={`profile-${path}-error`} role="alert" data-testid={`profile-error-${path}`}>
        {errorOf(path)}
      </span>
    ) : null;

  return (
    <section className="settings-section" aria-labelledby="settings-profile" data-testid="settings-profile">
      <h2 id="settings-profile">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      <form className="settings-form" onSubmit={(e) => void save(e)} noValidate data-testid="profile-form">
        <div className="field">
          <label htmlFor="profile-name">{m.name}</label>
          <input id="profile-name" value={draft.name} onChange={(e) => edit('name', e.target.value)} autoComplete="organization" {...described('name')} data-testid="profile-name" />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor="profile-timezone">{m.timezone}</label>
          <select id="profile-timezone" value={draft.timezone} onChange={(e) => edit('timezone', e.target.value)} {...described('timezone')} data-testid="profile-timezone">
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          {fieldError('timezone')}
        </div>
        <div className="field">
          <label htmlFor="profile-locale">{m.locale}</label>
          <select id="profile-locale" value={draft.locale} onChange={(e) => edit('locale', e.target.value === 'en' ? 'en' : 'ja')} {...described('locale')} data-testid="profile-locale">
            <option value="ja">{m.localeJa}</option>
            <option value="en">{m.localeEn}</option>
          </select>
          {fieldError('locale')}
        </div>
        <div className="field">
          <label htmlFor="profile-sender">{m.sender}</label>
          <input
            id="profile-sender"
            value={draft.mailSenderName}
            placeholder={shop.name}
            onChange={(e) => edit('mailSenderName', e.target.value)}
            aria-invalid={errorOf('mailSenderName') ? true : undefined}
            aria-describedby={errorOf('mailSenderName') ? 'profile-mailSenderName-error profile-sender-hint' : 'profile-sender-hint'}
            data-testid="profile-sender"
          />
          <span className="muted settings-hint" id="profile-sender-hint">
            {m.senderHint(shop.name)}
          </span>
          {fieldError('mailSenderName')}
        </div>
        <div className="field">
          <label htmlFor="profile-notice-contact">{m.noticeContact}</label>
          <textarea
            id="profile-notice-contact"
            rows={3}
            value={draft.noticeContact}
            placeholder="support@shop.example.jp／03-1234-5678（平日10時〜17時）"
            onChange={(e) => edit('noticeContact', e.target.value)}
            aria-invalid={errorOf('noticeContact') ? true : undefined}
            aria-describedby={errorOf('noticeContact') ? 'profile-noticeContact-error profile-notice-contact-hint' : 'profile-notice-contact-hint'}
            data-testid="profile-notice-contact"
          />
          <span className="muted settings-hint" id="profile-notice-contact-hint">
            {m.noticeContactHint}
          </span>
          {fieldError('noticeContact')}
        </div>
        <SaveBar status={status} dirty={dirty} words={c} testId="profile" />
      </form>
    </section>
  );
}
