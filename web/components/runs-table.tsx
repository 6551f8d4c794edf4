import type { RunView } from '../../src/http/run-view.js';
import { formatBytes, formatCount } from '../format.js';
import { kindLabel, STATUS_LABELS } from './run-progress.js';
import { When } from './when.js';

const UNDO_LABELS = { none: '', pending: ' · undo under way', done: ' · undone' } as const;

/** The latest runs with what each moved to Trash; each row leads to the run's own page. */
export function RunsTable({ runs }: { runs: readonly RunView[] }) {
  if (runs.length === 0) return <p>No runs yet.</p>;
  return (
    <div class="table-scroll">
      <table class="runs" data-testid="runs">
        <caption class="visually-hidden">Your latest runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Moved to Trash
            </th>
            <th scope="col" class="num">
              Size moved to Trash
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr data-run-id={run.id}>
              <td data-label="When">
                <a href={`/app/runs/${run.id}`}>
                  <When at={run.startedAt ?? run.scheduledAt ?? 0} />
                </a>
              </td>
              <td data-label="Kind">{kindLabel(run)}</td>
              <td data-label="Status">
                {STATUS_LABELS[run.status] ?? run.status}
                {UNDO_LABELS[run.undo]}
              </td>
              <td class="num" data-col="trashed" data-label="Moved to Trash">
                {formatCount(run.trashed)}
              </td>
              <td class="num" data-col="bytes" data-label="Size moved to Trash">
                {formatBytes(run.bytesTrashed)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
