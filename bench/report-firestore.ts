import { table } from './report.js';
import type { FirestoreScanResult } from './scenario-firestore-scan.js';

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Full scans on one MODE=gcp instance: Firestore documents per 1,000 messages, by scan. */
export function firestoreScanTable(scans: readonly FirestoreScanResult[]): string {
  return table(
    [
      'Mailbox (Firestore)',
      'Strategy',
      'Status',
      'Units/msg',
      'LLM calls/1k',
      'Store reads/1k',
      'Store writes/1k',
      'Firestore reads/1k',
      'Firestore writes/1k',
      'Firestore deletes/1k',
    ],
    scans.map((r) => [
      `${r.size >= 1000 ? `${r.size / 1000}k` : r.size} ${r.shape}`,
      `${r.strategy}, ${r.classifier === 'openai' ? 'LLM' : 'rules'}`,
      r.status,
      n(r.unitsPerMessage, 2),
      n(r.llmCallsPer1000, 1),
      n(r.store.readsPer1000, 1),
      n(r.store.writesPer1000, 1),
      n(r.firestore.readsPer1000, 1),
      n(r.firestore.writesPer1000, 1),
      n(r.firestore.deletesPer1000, 1),
    ]),
  );
}
