import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './model.js';
import { keepEntrySchema, settingsFormSchema, withKeepEntry, withSettings } from './settings.js';

describe('the settings form', () => {
  it('reads instructions, minimum age and a cap in dollars, or none', () => {
    expect(
      settingsFormSchema.parse({
        instructions: ' Keep\u202e school mail ',
        minAgeDays: '14',
        monthlyCapUsd: '$2.5',
      }),
    ).toEqual({ instructions: 'Keep  school mail', minAgeDays: 14, monthlyCapUsd: 2.5 });
    expect(
      settingsFormSchema.parse({ instructions: '', minAgeDays: '0', monthlyCapUsd: '' })
        .monthlyCapUsd,
    ).toBeNull();
  });

  it('refuses what is not a number of days or dollars, or too long', () => {
    for (const bad of [
      { minAgeDays: '-1' },
      { minAgeDays: '1.5' },
      { minAgeDays: '4000' },
      { monthlyCapUsd: '1e3' },
      { monthlyCapUsd: '20000' },
      { instructions: 'x'.repeat(601) },
    ]) {
      const form = { instructions: '', minAgeDays: '30', monthlyCapUsd: '', ...bad };
      expect(settingsFormSchema.safeParse(form).success).toBe(false);
    }
  });

  it('bumps the policy version when what decides changes, not for the cap alone', () => {
    const same = { instructions: '', minAgeDays: 30, monthlyCapUsd: null };
    expect(withSettings(DEFAULT_POLICY, same)).toBe(DEFAULT_POLICY);
    expect(withSettings(DEFAULT_POLICY, { ...same, monthlyCapUsd: 5 }).version).toBe(1);
    expect(withSettings(DEFAULT_POLICY, { ...same, minAgeDays: 60 }).version).toBe(2);
  });
});

describe('keep-list entries', () => {
  it('keeps addresses, and domains with their @, lowercased', () => {
    expect(keepEntrySchema.parse(' Alerts+x@Bank.Example ')).toBe('alerts+x@bank.example');
    expect(keepEntrySchema.parse('bank.example')).toBe('@bank.example');
    expect(keepEntrySchema.parse('@Mail.Bank.Example')).toBe('@mail.bank.example');
  });

  it('refuses what is neither', () => {
    for (const bad of ['', 'bank', 'a b@c.net', '@', 'x@', 'x@y', '<x@y.net>']) {
      expect(keepEntrySchema.safeParse(bad).success).toBe(false);
    }
  });

  it('adds and removes an entry once, with a new version each time', () => {
    const added = withKeepEntry(DEFAULT_POLICY, '@bank.example', true);
    expect(added).toMatchObject({ keepSenders: ['@bank.example'], version: 2 });
    expect(withKeepEntry(added, '@bank.example', true)).toBe(added);
    expect(withKeepEntry(added, '@bank.example', false)).toMatchObject({
      keepSenders: [],
      version: 3,
    });
  });
});
