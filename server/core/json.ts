/**
 * An answer already encoded as JSON (an inbox page PostgreSQL built), sent as it is: a handler
 * that returns one answers `application/json` with this text rather than an object Koa encodes
 * (core/route.ts). `T` is the shape the text holds, so a service still declares what it answers.
 */
export class JsonText<T> {
  declare readonly shape?: T;
  /** The text, or its UTF-8 bytes (a kept inbox page, sent without being encoded again). */
  constructor(readonly body: string | Buffer) {}

  get text(): string {
    return typeof this.body === 'string' ? this.body : this.body.toString('utf8');
  }
}
