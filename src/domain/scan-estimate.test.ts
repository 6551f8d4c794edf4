import { describe, expect, it } from 'vitest';
import { GMAIL_UNIT_TABLES } from './gmail-quota.js';
import { estimateScan } from './scan-estimate.js';

describe('estimateScan', () => {
  it('takes at least five and a half hours for 100,000 messages at 6,000 units a minute', () => {
    const estimate = estimateScan(100_000, GMAIL_UNIT_TABLES['2026'], 6_000);
    expect(estimate.unitsPerMessage).toBeCloseTo(20.01);
    expect(Math.round(estimate.messagesPerMinute)).toBe(300);
    expect(estimate.minutes / 60).toBeGreaterThan(5.5);
    expect(estimate.minutes / 60).toBeLessThan(5.6);
  });

  it('follows the configured unit table and budget', () => {
    const legacy = estimateScan(100_000, GMAIL_UNIT_TABLES.legacy, 15_000);
    expect(legacy.minutes).toBeCloseTo((100_000 * 5.01) / 15_000);
  });
});
