import { describe, expect, it } from 'vitest';
import { admitToDay, quotaDayOf, releaseFromDay, spendInDay } from './quota-day.js';

describe('the Gmail quota day', () => {
  it('begins at midnight Pacific time, standard time in winter', () => {
    const day = quotaDayOf(Date.parse('2026-12-03T13:00:00Z'));
    expect(day.day).toBe('2026-12-03');
    expect(new Date(day.startsAt).toISOString()).toBe('2026-12-03T08:00:00.000Z');
    expect(new Date(day.endsAt).toISOString()).toBe('2026-12-04T08:00:00.000Z');
  });

  it('begins at midnight Pacific daylight time in summer, the evening before in UTC', () => {
    const day = quotaDayOf(Date.parse('2026-07-01T03:00:00Z'));
    expect(day.day).toBe('2026-06-30');
    expect(new Date(day.endsAt).toISOString()).toBe('2026-07-01T07:00:00.000Z');
  });

  it('lasts 23 hours on the day clocks spring forward and 25 when they fall back', () => {
    const spring = quotaDayOf(Date.parse('2026-03-08T12:00:00Z'));
    expect(spring.endsAt - spring.startsAt).toBe(23 * 3_600_000);
    const fall = quotaDayOf(Date.parse('2026-11-01T12:00:00Z'));
    expect(fall.endsAt - fall.startsAt).toBe(25 * 3_600_000);
  });
});

describe('full scans admitted into the day', () => {
  const now = Date.parse('2026-12-03T13:00:00Z');
  const budget = 10_000;

  it('admits a scan that fits what is left, and refuses one that does not', () => {
    const first = admitToDay(spendInDay(undefined, 2_000, now), {
      scanKey: 'a',
      units: 5_000,
      budget,
      now,
    });
    expect(first.admitted).toBe(true);
    const second = admitToDay(first.ledger, { scanKey: 'b', units: 3_001, budget, now });
    expect(second.admitted).toBe(false);
    expect(second.ledger.scans).toEqual({ a: 5_000 });
  });

  it('admits the same scan twice without counting it twice', () => {
    const once = admitToDay(undefined, { scanKey: 'a', units: 4_000, budget, now });
    const twice = admitToDay(once.ledger, { scanKey: 'a', units: 4_000, budget, now });
    expect(twice.admitted).toBe(true);
    expect(twice.ledger.scans).toEqual({ a: 4_000 });
  });

  it('frees a finished scan promise but keeps what was spent', () => {
    const admitted = admitToDay(spendInDay(undefined, 100, now), {
      scanKey: 'a',
      units: 9_000,
      budget,
      now,
    });
    const released = releaseFromDay(admitted.ledger, 'a', now);
    expect(released).toMatchObject({ spent: 100, scans: {} });
  });

  it('starts every count afresh when the Pacific day turns', () => {
    const full = admitToDay(spendInDay(undefined, 9_000, now), {
      scanKey: 'a',
      units: 1_000,
      budget,
      now,
    });
    const tomorrow = quotaDayOf(now).endsAt;
    const next = admitToDay(full.ledger, { scanKey: 'b', units: 5_000, budget, now: tomorrow });
    expect(next).toMatchObject({ admitted: true, ledger: { spent: 0, scans: { b: 5_000 } } });
  });

  it('counts a scan larger than half the day as half, so that it can ever start', () => {
    const huge = admitToDay(undefined, { scanKey: 'a', units: 50_000, budget, now });
    expect(huge).toMatchObject({ admitted: true, ledger: { scans: { a: 5_000 } } });
  });
});
