import { useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { chatApi } from '../../chatApi.ts';
import { useMessages } from '../../i18n.ts';
import type { AgentView, AttachmentDto } from '../../types.ts';
import { CannedPicker } from './CannedPicker.tsx';
import { mentionMatches, MentionPicker, mentionQuery } from './MentionPicker.tsx';
import { useTypingSignal } from './signals.ts';

export type ComposerKind = 'text' | 'note';
export interface ComposerHandle {
  focus: (kind: ComposerKind) => void;
}

interface Props {
  ref?: Ref<ComposerHandle>;
  shopId: string;
  conversationId: string;
  agents: AgentView[];
  disabled: boolean;
  onSend: (draft: { body: string; kind: ComposerKind; attachments: AttachmentDto[]; mentions: string[] }) => void;
}

/** Reply or internal note, with `/` canned replies, `@` mentions (notes) and attachments. */
export function Composer({ ref, shopId, conversationId, agents, disabled, onSend }: Props) {
  const m = useMessages().chat.composer;
  const [kind, setKind] = useState<ComposerKind>('text');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<AttachmentDto[]>([]);
  const [uploading, setUploading] = useState(0);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [mentioned, setMentioned] = useState<AgentView[]>([]);
  const [mention, setMention] = useState<{ query: string; start: number } | null>(null);
  const [active, setActive] = useState(0);
  const [canned, setCanned] = useState<{ query: string; pick?: number } | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const signal = useTypingSignal(conversationId);

  useImperativeHandle(ref, () => ({
    focus: (k) => {
      setKind(k);
      area.current?.focus();
    },
  }));

  const matches = kind === 'note' && mention ? mentionMatches(agents, mention.query) : [];

  function change(text: string, caret: number) {
    setBody(text);
    if (text.trim()) signal.typing(kind === 'note');
    else signal.stop();
    setMention(kind === 'note' ? mentionQuery(text, caret) : null);
    setActive(0);
    // `/` at the start of a reply opens the canned replies with what follows as the search.
    const slash = kind === 'text' ? /^\/(\S*)$/.exec(text) : null;
    if (slash) setCanned({ query: slash[1]! });
  }

  /** `/shortcut` alone in a reply: what a send would otherwise deliver to the customer as it stands. */
  const shortcut = kind === 'text' ? /^\/(\S*)$/.exec(body.trim())?.[1] : undefined;

  function pick(a: AgentView) {
    if (!mention) return;
    const caret = mention.start + 1 + mention.query.length;
    const next = `${body.slice(0, mention.start)}@${a.name} ${body.slice(caret)}`;
    setBody(next);
    setMentioned((list) => (list.some((x) => x.userId === a.userId) ? list : [...list, a]));
    setMention(null);
    area.current?.focus();
  }

  function insertCanned(text: string) {
    setBody((b) => (/^\/\S*$/.test(b.trim()) || !b.trim() ? text : `${b}\n${text}`));
    setCanned(null);
    area.current?.focus();
  }

  /** The one way out of the composer (Enter, the send button, the form's submit). */
  function submit() {
    const text = body.trim();
    if (!text) return;
    if (shortcut !== undefined) {
      // A lone shortcut is never sent as "/thanks": its reply goes in, filled in by the picker, for review.
      setCanned({ query: shortcut, pick: Date.now() });
      return;
    }
    if (disabled || uploading) return;
    // Only the people still named in the text are mentioned.
    const mentions = kind === 'note' ? mentioned.filter((a) => body.includes(`@${a.name}`)).map((a) => a.userId) : [];
    onSend({ body: text, kind, attachments: files, mentions });
    signal.stop();
    setBody('');
    setFiles([]);
    setMentioned([]);
    setMention(null);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return; // the IME's Enter confirms a conversion
    if (matches.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
    } else if (matches.length && (e.key === 'Enter' || e.key === 'Tab')) {
      e.preventDefault();
      pick(matches[active] ?? matches[0]!);
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  }

  async function upload(list: FileList | null) {
    setUploadError(null);
    for (const file of Array.from(list ?? [])) {
      setUploading((n) => n + 1);
      try {
        const a = await chatApi.upload(shopId, conversationId, file);
        setFiles((f) => [...f, a]);
      } catch {
        setUploadError(m.uploadFailed(file.name));
      } finally {
        setUploading((n) => n - 1);
      }
    }
    if (fileInput.current) fileInput.current.value = '';
  }

  const switchKind = (k: ComposerKind) => {
    signal.stop();
    setKind(k);
    setMention(null);
    area.current?.focus();
  };

  return (
    <form className="composer" data-kind={kind} aria-label={m.label} onSubmit={(e) => (e.preventDefault(), submit())} data-testid="composer">
      {canned && (
        <CannedPicker shopId={shopId} conversationId={conversationId} initialQuery={canned.query} pick={canned.pick} onInsert={insertCanned} onClose={() => setCanned(null)} />
      )}
      <div className="segmented" role="group" aria-label={m.label}>
        <button type="button" aria-pressed={kind === 'text'} onClick={() => switchKind('text')} data-testid="composer-reply">
          {m.reply}
        </button>
        <button type="button" aria-pressed={kind === 'note'} onClick={() => switchKind('note')} data-testid="composer-note">
          {m.note}
        </button>
      </div>
      <div className="composer-field">
        <textarea
          ref={area}
          value={body}
          rows={3}
          maxLength={10_000}
          aria-label={kind === 'note' ? m.noteHint : m.replyHint}
          placeholder={kind === 'note' ? m.noteHint : m.replyHint}
          onChange={(e) => change(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          data-testid="composer-input"
        />
        <MentionPicker matches={matches} active={active} onPick={pick} />
      </div>
      {files.length > 0 && (
        <ul className="composer-files">
          {files.map((f) => (
            <li key={f.id}>
              {f.filename}{' '}
              <button type="button" className="button button-quiet" onClick={() => setFiles((l) => l.filter((x) => x.id !== f.id))}>
                {m.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploadError && <p className="alert alert-error">{uploadError}</p>}
      <div className="composer-tools">
        <input ref={fileInput} type="file" hidden multiple accept="image/jpeg,image/png,image/gif,image/webp,application/pdf" onChange={(e) => void upload(e.target.files)} data-testid="composer-file" />
        <button type="button" className="button button-quiet" onClick={() => fileInput.current?.click()}>
          {uploading ? m.uploading : m.attach}
        </button>
        {kind === 'text' && (
          <button type="button" className="button button-quiet" onClick={() => setCanned({ query: '' })} data-testid="canned-open">
            {m.canned}
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={disabled || !body.trim() || uploading > 0} data-testid="composer-send">
          {kind === 'note' ? m.addNote : m.send}
        </button>
      </div>
    </form>
  );
}
