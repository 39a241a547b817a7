import { expect } from 'chai';
import { KeyedSerial } from '../../../server/core/realtime.ts';

const tick = () => new Promise((r) => setImmediate(r));

/** A task that finishes when told to, recording when it started and ended. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    open = () => resolve(name);
    fail = reject;
  });
  const task = () => {
    log.push(`start ${name}`);
    return done.finally(() => log.push(`end ${name}`));
  };
  return { task, open, fail };
}

describe('KeyedSerial (core/realtime.ts)', () => {
  it('runs the tasks of one key one after another, in the order they came, and those of other keys beside them', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const r1 = serial.run('a', a1.task);
    const r2 = serial.run('a', a2.task);
    const r3 = serial.run('b', b1.task);
    await tick();
    expect(log).to.deep.equal(['start a1', 'start b1']);
    a1.open();
    expect(await r1).to.equal('a1');
    await tick();
    expect(log).to.include('start a2');
    expect(log.indexOf('end a1')).to.be.lessThan(log.indexOf('start a2'));
    a2.open();
    b1.open();
    expect(await Promise.all([r2, r3])).to.deep.equal(['a2', 'b1']);
  });

  it('runs a task queued after the first one settled behind the second, still running', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const a3 = gate(log, 'a3');
    const r1 = serial.run('a', a1.task);
    const r2 = serial.run('a', a2.task);
    a1.open();
    await r1;
    await tick();
    const r3 = serial.run('a', a3.task);
    await tick();
    expect(log).to.not.include('start a3');
    a2.open();
    await r2;
    await tick();
    expect(log).to.include('start a3');
    expect(log.indexOf('end a2')).to.be.lessThan(log.indexOf('start a3'));
    a3.open();
    await r3;
  });

  it('runs the next task of a key after one that failed, and hands each its own result', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const first = gate(log, 'first');
    const second = gate(log, 'second');
    const r1 = serial.run('k', first.task);
    const r2 = serial.run('k', second.task);
    first.fail(new Error('refused'));
    const failed = await r1.then(() => undefined, (e: Error) => e.message);
    expect(failed).to.equal('refused');
    second.open();
    expect(await r2).to.equal('second');
    expect(log).to.deep.equal(['start first', 'end first', 'start second', 'end second']);
  });

  it('keeps a settled key for the next task, and holds at most KEYS_KEPT settled keys however many it has seen', async () => {
    const serial = new KeyedSerial();
    await serial.run('conversation', async () => 1);
    await tick();
    expect(serial.size, 'the settled key is kept').to.equal(1);
    await serial.run('conversation', async () => 2);
    await tick();
    expect(serial.size).to.equal(1);
    for (let i = 0; i < 200; i++) {
      await serial.run(`c${i}`, async () => i);
      await tick();
      expect(serial.size).to.be.at.most(KeyedSerial.KEYS_KEPT);
    }
  });

  it('keeps every key whose task is still running when it forgets the settled ones', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const running = Array.from({ length: KeyedSerial.KEYS_KEPT + 4 }, (_, i) => gate(log, `r${i}`));
    const results = running.map((g, i) => serial.run(`running${i}`, g.task));
    await tick();
    expect(serial.size).to.equal(running.length);
    // A task queued behind a running one still waits for it, though many other keys came after.
    const behind = gate(log, 'behind');
    const last = serial.run('running0', behind.task);
    await tick();
    expect(log).to.not.include('start behind');
    for (const g of running) g.open();
    behind.open();
    await Promise.all([...results, last]);
    expect(log.indexOf('end r0')).to.be.lessThan(log.indexOf('start behind'));
    // Once all have settled, the burst's keys are forgotten but for at most KEYS_KEPT.
    await tick();
    expect(serial.size).to.be.at.most(KeyedSerial.KEYS_KEPT);
  });
});
