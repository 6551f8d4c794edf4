import type { RunView } from '../../src/http/run-view.js';
import { DecisionChart, RunAlert, RunNotes } from '../components/run-notes.js';
import { kindLabel, RunProgress } from '../components/run-progress.js';
import { When } from '../components/when.js';
import { Layout } from '../layout.js';
import type { RunFigures } from '../run-figures.js';

/** Reloads at least this often without JavaScript; with it, the page updates every few seconds. */
export const STATUS_REFRESH_SECONDS = 30;

function RunTimes({ run, final }: { run: RunView; final: boolean }) {
  if (final) {
    return (
      <p class="lede">
        Ran from <When at={run.startedAt ?? run.scheduledAt ?? 0} /> to{' '}
        <When at={run.endedAt ?? run.startedAt ?? 0} />.
      </p>
    );
  }
  return (
    <p class="lede">
      {run.startedAt ? (
        <>
          Started <When at={run.startedAt} />.
        </>
      ) : run.startsAt ? (
        <>
          Requested <When at={run.scheduledAt ?? 0} />; it waits for Gmail's daily quota and starts{' '}
          <When at={run.startsAt} />.
        </>
      ) : (
        <>
          Requested <When at={run.scheduledAt ?? 0} />; it starts shortly.
        </>
      )}{' '}
      This page updates itself. You can close it: the run goes on.
    </p>
  );
}

/**
 * The public status page: the run id is the capability, so it shows counts, times and the
 * run's plain-words log only. No address, subject or sender: the per-sender chart is on the
 * owner's signed-in run page.
 */
export function RunStatusPage({ run, figures }: { run: RunView; figures: RunFigures }) {
  const waiting = run.status === 'REVIEW';
  return (
    <Layout
      title={`${kindLabel(run)} status`}
      refreshSeconds={figures.final || waiting ? undefined : STATUS_REFRESH_SECONDS}
      scripts={figures.final || waiting ? [] : ['run-status.js']}
    >
      <h1>{kindLabel(run)}</h1>
      <RunTimes run={run} final={figures.final} />
      <RunAlert run={run} figures={figures} />
      <RunProgress run={run} figures={figures} />
      {figures.final ? <DecisionChart run={run} /> : null}
      <RunNotes run={run} />
      <p>
        <a href="/app">Back to your dashboard</a> (sign-in needed)
      </p>
    </Layout>
  );
}
