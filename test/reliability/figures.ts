import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', '..', 'test-results', 'reliability');

/**
 * Figures for the record (the README's Reliability section), not assertions: printed, and
 * appended as one JSON line to test-results/reliability/figures.jsonl (the soak's to
 * soak-figures.jsonl) for `tsx test/reliability/summarize.ts [file]` to add up.
 */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  console.log(`reliability: ${scenario}: ${JSON.stringify(figures)}`);
  mkdirSync(DIR, { recursive: true });
  appendFileSync(
    join(DIR, process.env.RELIABILITY_FIGURES ?? 'figures.jsonl'),
    `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures })}\n`,
  );
}
