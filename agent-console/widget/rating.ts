/**
 * The satisfaction survey offered once a conversation is resolved: 1–5 and an optional
 * comment, sent as `csat:rate`. A refusal is explained in the customer's words (`explain`).
 */
import { h, show, text } from './dom.ts';
import type { I18n } from './i18n.ts';

export class Rating {
  readonly el: HTMLElement;
  private chosen = 0;
  private readonly stars: HTMLButtonElement[];
  private readonly comment: HTMLTextAreaElement;
  private readonly submit: HTMLButtonElement;
  private readonly message: HTMLElement;
  private readonly form: HTMLElement;

  constructor(
    private readonly t: I18n,
    private readonly rate: (rating: number, comment: string) => Promise<void>,
    private readonly explain: (e: unknown) => string,
  ) {
    this.stars = [1, 2, 3, 4, 5].map((n) => {
      const b = h('button', { type: 'button', 'aria-label': t.star(n), 'aria-pressed': 'false', 'data-testid': `rate-${n}` }, String(n));
      b.addEventListener('click', () => this.choose(n));
      return b;
    });
    this.comment = h('textarea', { 'aria-label': t.t('rateComment'), placeholder: t.t('rateComment'), maxlength: '1000', rows: '2', 'data-testid': 'rate-comment' });
    this.submit = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'rate-send' }, t.t('rateSend'));
    this.message = h('div', { role: 'status', 'data-testid': 'rate-status' });
    this.form = h('div', { class: 'rating-form' }, h('div', { class: 'stars' }, ...this.stars), this.comment, this.submit);
    this.el = h('div', { class: 'rating', 'data-testid': 'rating' }, h('strong', {}, t.both('rateTitle')), this.form, this.message);
    this.submit.addEventListener('click', () => void this.send());
  }

  private choose(n: number): void {
    this.chosen = n;
    this.stars.forEach((b, i) => b.setAttribute('aria-pressed', String(i + 1 === n)));
    this.submit.disabled = false;
  }

  private async send(): Promise<void> {
    if (!this.chosen) return;
    this.submit.disabled = true;
    try {
      await this.rate(this.chosen, this.comment.value);
      this.done();
    } catch (e) {
      this.message.className = 'error-text';
      text(this.message, this.explain(e));
      this.submit.disabled = false;
    }
  }

  /** Rated (now or before): only the thanks remain. */
  done(): void {
    show(this.form, false);
    this.message.className = '';
    text(this.message, this.t.t('rateThanks'));
  }
}
