import { expect } from 'chai';
import { fromDatabaseError } from '../../../server/core/db/errors.ts';
import { fromUnavailable, unavailableDependency } from '../../../server/core/unavailable.ts';

/** A failed query as Drizzle wraps it: its message quotes the statement and the values. */
const drizzled = (cause: Error, params: unknown[] = []) =>
  Object.assign(new Error(`Failed query: insert into messages ...\nparams: ${params.join(',')}`), { name: 'DrizzleQueryError', query: 'insert', params, cause });
const pgError = (code: string) => Object.assign(new Error('server said no'), { code, severity: 'FATAL' });

describe('telling a dependency that is away from an error of the request', () => {
  it('takes connection-level database failures for the database being away', () => {
    const cases: Error[] = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('PGlite is closed'),
      pgError('57P01'), // admin_shutdown
      pgError('57P03'), // cannot_connect_now
      pgError('08006'), // connection_failure
      pgError('53300'), // too_many_connections
    ];
    for (const e of cases) {
      expect(unavailableDependency(e), e.message).to.equal('database');
      expect(unavailableDependency(drizzled(e)), `wrapped: ${e.message}`).to.equal('database');
    }
  });

  it('takes Redis commands that gave up or could not be sent for Redis being away', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' });
    Object.defineProperty(maxRetries, 'name', { value: 'MaxRetriesPerRequestError' });
    for (const e of [maxRetries, new Error('Connection is closed.'), new Error("Stream isn't writeable and enableOfflineQueue options is false")]) {
      expect(unavailableDependency(e), e.message).to.equal('redis');
    }
    const loading = Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
    expect(unavailableDependency(loading)).to.equal('redis');
    const wrongType = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    expect(unavailableDependency(wrongType)).to.equal(undefined);
  });

  it('leaves what the statement did wrong as it was: a constraint stays a 4xx, never a 503', () => {
    const unique = Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' });
    // Even when a value the caller sent reads like a connection failure.
    const wrapped = drizzled(unique, ['Connection terminated unexpectedly']);
    expect(unavailableDependency(wrapped)).to.equal(undefined);
    expect(fromDatabaseError(wrapped)?.code).to.equal('conflict');
    expect(unavailableDependency(new Error('something else broke'))).to.equal(undefined);
    expect(unavailableDependency('a string')).to.equal(undefined);
  });

  it('answers 503 unavailable naming the dependency, with Retry-After', () => {
    const e = fromUnavailable(new Error('Connection terminated unexpectedly'))!;
    expect(e.code).to.equal('unavailable');
    expect(e.details).to.deep.equal({ dependency: 'database', retryAfterSeconds: 5 });
    expect(e.headers).to.deep.equal({ 'Retry-After': '5' });
  });
});
