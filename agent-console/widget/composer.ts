/**
 * Where the customer writes: Enter sends, Shift+Enter makes a new line (and Enter that
 * confirms a Japanese IME conversion does neither), an attach button for images and PDFs
 * that says in the customer's words why a file was refused, and typing signals.
 */
import type { AttachmentDto } from '../../server/domains/conversations/conversations.dto.ts';
import { h, icon, icons, show, text } from './dom.ts';
import { fileRefusal } from './errors.ts';
import type { I18n } from './i18n.ts';
import { isImeKey } from './keys.ts';

export interface ComposerActions {
  send(body: string, attachments: AttachmentDto[]): void;
  upload(file: File): Promise<AttachmentDto>;
  typing(typing: boolean): void;
}

const TYPING_IDLE_MS = 3000;
const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp,application/pdf';
const ACCEPTED = new Set(ACCEPT.split(','));

/** The server's message limit; longer text is refused there, so it is stopped here. */
const MAX_CHARS = 10_000;

export class Composer {
  readonly el: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly chips: HTMLElement;
  private readonly status: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private attachments: AttachmentDto[] = [];
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private typing = false;

  constructor(
    private readonly t: I18n,
    private readonly actions: ComposerActions,
  ) {
    this.input = h('textarea', { 'aria-label': t.t('placeholder'), placeholder: t.t('placeholder'), maxlength: String(MAX_CHARS), 'data-testid': 'composer' });
    this.fileInput = h('input', { type: 'file', accept: ACCEPT, hidden: true, 'data-testid': 'file-input' });
    const attach = h('button', { type: 'button', class: 'attach', title: t.t('attach'), 'aria-label': t.t('attach'), 'data-testid': 'attach' }, icon(icons.clip));
    const send = h('button', { type: 'button', class: 'primary', 'data-testid': 'send' }, t.t('send'));
    this.chips = h('div', { class: 'chips' });
    this.status = h('div', { class: 'error-text', role: 'status', 'data-testid': 'upload-status' });
    show(this.status, false);
    this.el = h('div', { class: 'composer' }, this.chips, this.status, h('div', { class: 'row' }, attach, this.input, send), this.fileInput);

    this.input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.shiftKey || isImeKey(e)) return;
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('input', () => this.noteTyping());
    send.addEventListener('click', () => this.submit());
    attach.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      this.fileInput.value = '';
      if (file) void this.upload(file);
    });
  }

  focus(): void {
    this.input.focus();
  }

  private noteTyping(): void {
    if (!this.typing) {
      this.typing = true;
      this.actions.typing(true);
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typing) return;
    this.typing = false;
    this.actions.typing(false);
  }

  private submit(): void {
    const typed = this.input.value;
    if (!typed.trim() && !this.attachments.length) return;
    // The server wants some text with every message; a file alone is sent under its name.
    const body = typed.trim() ? typed : this.attachments.map((a) => a.filename).join('\n');
    this.actions.send(body, this.attachments);
    this.input.value = '';
    this.attachments = [];
    this.renderChips();
    this.stopTyping();
    this.input.focus();
  }

  private async upload(file: File): Promise<void> {
    show(this.status, true);
    const refuse = (message: string) => {
      this.status.className = 'error-text';
      text(this.status, message);
    };
    // The picker offers these types only, but a file can still be dropped in with another.
    if (file.type && !ACCEPTED.has(file.type)) return refuse(this.t.both('fileType'));
    if (file.size === 0) return refuse(this.t.both('fileEmpty'));
    this.status.className = '';
    text(this.status, `${this.t.t('uploading')} ${file.name}`);
    try {
      this.attachments = [...this.attachments, await this.actions.upload(file)];
      show(this.status, false);
      this.renderChips();
    } catch (e) {
      refuse(fileRefusal(this.t, e));
    }
  }

  private renderChips(): void {
    this.chips.replaceChildren(
      ...this.attachments.map((a) => {
        const remove = h('button', { type: 'button', 'aria-label': this.t.t('removeAttachment') }, icon(icons.close));
        remove.addEventListener('click', () => {
          this.attachments = this.attachments.filter((x) => x.id !== a.id);
          this.renderChips();
        });
        return h('span', { class: 'chip', 'data-testid': 'attachment-chip' }, a.filename, remove);
      }),
    );
  }
}
