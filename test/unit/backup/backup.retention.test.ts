import { expect } from 'chai';
import { DateTime } from 'luxon';
import { archiveName, takenAt } from '../../../server/core/backup/backup.create.ts';
import { CATCH_UP_MS, firstRun, lastNightly, nextNightly } from '../../../server/core/backup/backup.nightly.ts';
import { toPrune } from '../../../server/core/backup/backup.retention.ts';

const tokyo = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Tokyo' }).toJSDate();
const archive = (iso: string) => ({ name: archiveName(tokyo(iso)), at: tokyo(iso) });
const keptOf = (all: { name: string; at: Date }[], keep: { daily: number; weekly: number }) => {
  const gone = new Set(toPrune(all, keep));
  return all.filter((a) => !gone.has(a.name)).map((a) => DateTime.fromJSDate(a.at).setZone('Asia/Tokyo').toFormat('yyyy-LL-dd HH:mm'));
};

describe('backup retention (7 daily, then 4 weekly beyond them)', () => {
  const nightly = (first: string, nights: number) =>
    Array.from({ length: nights }, (_, i) => archive(DateTime.fromISO(`${first}T03:00`, { zone: 'Asia/Tokyo' }).plus({ days: i }).toISO()!));

  it('after 40 nightly backups keeps 11: the last 7 nights and, before their weeks, the newest of each of the 4 whole weeks', () => {
    // Nightly at 03:00 from Sun 2026-10-25 to Thu 2026-12-03 (40 nights).
    const kept = keptOf(nightly('2026-10-25', 40), { daily: 7, weekly: 4 }).sort();
    expect(kept).to.deep.equal([
      // the Sundays ending the 4 weeks before Mon 11-23, the week of the oldest daily
      '2026-11-01 03:00',
      '2026-11-08 03:00',
      '2026-11-15 03:00',
      '2026-11-22 03:00',
      // the dailies, Fri 11-27 to Thu 12-03
      '2026-11-27 03:00',
      '2026-11-28 03:00',
      '2026-11-29 03:00',
      '2026-11-30 03:00',
      '2026-12-01 03:00',
      '2026-12-02 03:00',
      '2026-12-03 03:00',
    ]);
  });

  it('keeps the same 11 after 60 nights, pruning everything older', () => {
    const all = nightly('2026-10-05', 60);
    expect(keptOf(all, { daily: 7, weekly: 4 })).to.deep.equal(keptOf(nightly('2026-10-25', 40), { daily: 7, weekly: 4 }));
    expect(toPrune(all, { daily: 7, weekly: 4 })).to.have.length(49);
  });

  it('counts a week only when no daily archive is in it, and skips weeks without a backup', () => {
    // Dailies Mon 11-30 to Sun 12-06 fill one week; weeks before: 11-23.., none in 11-16.., 11-09.., 11-02.., 10-26..
    const all = [...nightly('2026-11-30', 7), archive('2026-11-24T03:00'), archive('2026-11-23T03:00'), archive('2026-11-12T03:00'), archive('2026-11-03T03:00'), archive('2026-10-27T03:00'), archive('2026-10-20T03:00')];
    expect(keptOf(all, { daily: 7, weekly: 4 }).slice(7)).to.deep.equal(['2026-11-24 03:00', '2026-11-12 03:00', '2026-11-03 03:00', '2026-10-27 03:00']);
  });

  it('keeps only the newest of several backups taken on one Tokyo day, counting the day by Tokyo time', () => {
    const all = [archive('2026-12-04T00:30'), archive('2026-12-04T03:00'), archive('2026-12-04T14:10'), archive('2026-12-03T23:50')];
    expect(keptOf(all, { daily: 7, weekly: 0 }).sort()).to.deep.equal(['2026-12-03 23:50', '2026-12-04 14:10']);
  });

  it('does not let nights without a backup use up places: the 7 kept are the 7 latest days that have one', () => {
    const all = ['2026-11-01', '2026-11-03', '2026-11-10', '2026-11-11', '2026-11-20', '2026-11-25', '2026-11-30', '2026-12-04'].map((d) => archive(`${d}T03:00`));
    expect(keptOf(all, { daily: 7, weekly: 0 })).to.have.length(7);
    expect(toPrune(all, { daily: 7, weekly: 0 })).to.deep.equal([archiveName(tokyo('2026-11-01T03:00'))]);
  });

  it('never prunes the newest backup, and with nothing to keep beyond it prunes the rest', () => {
    const all = [archive('2026-12-01T03:00'), archive('2026-12-02T03:00')];
    expect(toPrune(all, { daily: 1, weekly: 0 })).to.deep.equal([archiveName(tokyo('2026-12-01T03:00'))]);
    expect(toPrune([], { daily: 7, weekly: 4 })).to.deep.equal([]);
  });

  it('reads the time back from an archive name, and ignores files that are not archives', () => {
    const at = tokyo('2026-12-04T03:00:07');
    expect(archiveName(at)).to.equal('madoguchi-backup-20261204-030007.tar.gz');
    expect(takenAt(archiveName(at))?.getTime()).to.equal(at.getTime());
    expect(takenAt('madoguchi-backup-20261204-030007-2.tar.gz')?.getTime()).to.equal(at.getTime());
    expect(takenAt('status.json')).to.equal(null);
    expect(takenAt('madoguchi-backup-20261204-030007.tar.gz.partial')).to.equal(null);
  });
});

describe('nightly backup time', () => {
  it('is the next BACKUP_HOUR:00 in Tokyo, tomorrow once it has passed', () => {
    expect(nextNightly(tokyo('2026-12-04T02:59'), 3).toISOString()).to.equal(tokyo('2026-12-04T03:00').toISOString());
    expect(nextNightly(tokyo('2026-12-04T03:00'), 3).toISOString()).to.equal(tokyo('2026-12-05T03:00').toISOString());
    expect(nextNightly(tokyo('2026-12-31T23:30'), 0).toISOString()).to.equal(tokyo('2027-01-01T00:00').toISOString());
  });

  it('was last due at the latest BACKUP_HOUR:00 in Tokyo at or before now, yesterday’s before the hour', () => {
    expect(lastNightly(tokyo('2026-12-04T03:00'), 3).toISOString()).to.equal(tokyo('2026-12-04T03:00').toISOString());
    expect(lastNightly(tokyo('2026-12-04T02:59'), 3).toISOString()).to.equal(tokyo('2026-12-03T03:00').toISOString());
    expect(lastNightly(tokyo('2027-01-01T00:30'), 23).toISOString()).to.equal(tokyo('2026-12-31T23:00').toISOString());
  });
});

describe('the first nightly run after the server starts', () => {
  const start = tokyo('2026-12-04T09:00');
  const soon = new Date(start.getTime() + CATCH_UP_MS).toISOString();

  it('is the next night when last night’s backup succeeded', () => {
    expect(firstRun(start, 3, tokyo('2026-12-04T03:00:40')).toISOString()).to.equal(tokyo('2026-12-05T03:00').toISOString());
  });

  it('is a catch-up 10 minutes after start when the last good backup is older than the last scheduled time, or there is none', () => {
    expect(firstRun(start, 3, tokyo('2026-12-02T03:00')).toISOString()).to.equal(soon);
    expect(firstRun(start, 3, null).toISOString()).to.equal(soon);
  });

  it('is a catch-up when the server was down at the hour and restarts just after it (last good backup the night before)', () => {
    const restart = tokyo('2026-12-04T03:05');
    expect(firstRun(restart, 3, tokyo('2026-12-03T03:00:40')).toISOString()).to.equal(new Date(restart.getTime() + CATCH_UP_MS).toISOString());
    // A manual backup before the hour does not stand in for the night's.
    expect(firstRun(restart, 3, tokyo('2026-12-04T02:30')).toISOString()).to.equal(new Date(restart.getTime() + CATCH_UP_MS).toISOString());
  });

  it('is the next night when tonight’s backup finished before the restart, however soon after the hour', () => {
    expect(firstRun(tokyo('2026-12-04T03:01'), 3, tokyo('2026-12-04T03:00:40')).toISOString()).to.equal(tokyo('2026-12-05T03:00').toISOString());
  });

  it('is the nightly run itself when that comes sooner than the catch-up', () => {
    expect(firstRun(tokyo('2026-12-04T02:55'), 3, null).toISOString()).to.equal(tokyo('2026-12-04T03:00').toISOString());
  });
});
