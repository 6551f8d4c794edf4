// Live progress for a run page: polls /api/runs/{id} and updates the elements marked with
// data-field. Mirrors web/format.ts and web/run-figures.ts; the page works without it.
(() => {
  const root = document.querySelector('[data-run-id]');
  if (!root) return;
  const runId = root.getAttribute('data-run-id');
  const POLL_MS = 3000;
  const FINAL = ['DONE', 'FAILED', 'CANCELLED'];
  const LABELS = {
    QUEUED: 'Waiting to start',
    PROCESSING: 'Scanning',
    REVIEW: 'Waiting for your review',
    DELETING: 'Finishing',
    DONE: 'Done',
    FAILED: 'Failed',
    CANCELLED: 'Cancelled',
  };
  const TEXT = {
    QUEUED: 'The run is queued and starts shortly.',
    PROCESSING: 'Listing the mailbox and deciding, batch by batch, what goes to Trash.',
    REVIEW:
      "Every message is decided and nothing was moved: the proposal waits for its owner's review.",
    DELETING: 'Everything is listed; the last batches are being decided and moved to Trash.',
    DONE: 'Finished.',
    FAILED: 'The run stopped before the end: see the notes below.',
    CANCELLED: 'The run was cancelled.',
  };

  const count = (n) => Math.round(n).toLocaleString('en-US');
  const bytes = (n) => {
    if (n < 1024) return `${Math.round(n)} B`;
    let value = n;
    let unit = '';
    for (const next of ['KB', 'MB', 'GB', 'TB']) {
      value /= 1024;
      unit = next;
      if (value < 1024) break;
    }
    return `${value < 10 ? value.toFixed(1) : String(Math.round(value))} ${unit}`;
  };
  const duration = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s} s`;
    const m = Math.round(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
    return `${Math.floor(h / 24)} days ${h % 24} h`;
  };
  const usd = (x) => (x === 0 ? '$0.00' : x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(2)}`);
  const when = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

  const set = (field, text) => {
    for (const el of root.ownerDocument.querySelectorAll(`[data-field="${field}"]`)) {
      if (el.textContent !== text) el.textContent = text;
    }
  };

  function eta(run, final, paused, elapsedMs) {
    if (final) return run.status === 'DONE' ? 'Finished' : 'Stopped';
    if (paused) {
      const last = run.errors[run.errors.length - 1];
      // The spend cap's pause message says so (src/domain/classifier-errors.ts).
      return last?.message.includes('monthly OpenAI spend cap')
        ? 'Paused until the spend cap is raised'
        : 'Paused until the OpenAI key is updated';
    }
    if (run.status === 'REVIEW') return 'Waiting for your review';
    if (run.startsAt)
      return `Waiting in line for Gmail's daily quota: starts at ${when(run.startsAt)}`;
    if (elapsedMs === null) return 'Not known until the run starts';
    if (run.processed === 0 || elapsedMs < 5000) {
      return 'Not known yet (waiting for the first batch)';
    }
    return `About ${duration(run.remaining / (run.processed / elapsedMs))} more, at the rate so far`;
  }

  // Mirrors freedText in web/components/run-progress.tsx.
  function freed(run) {
    if (run.trashed === 0) return 'Nothing moved to Trash';
    if (run.undo !== 'none') return 'Nothing: the run was undone';
    if (!run.endedAt) return 'Once Gmail empties Trash, 30 days after the run';
    const day = new Date(Date.parse(run.endedAt) + 30 * 86400000).toISOString().slice(0, 10);
    return `On ${day}, when Gmail empties Trash (now, if you empty it yourself)`;
  }

  // Mirrors statusText and waitingText in web/components/run-progress.tsx.
  function statusText(run) {
    if (run.undo === 'done') return 'Finished, then undone: its messages are out of Trash again.';
    if (run.startsAt) {
      return `Waiting in line for Gmail's daily quota, which Google resets at midnight Pacific time: it starts at ${when(run.startsAt)}. New mail keeps being cleaned meanwhile.`;
    }
    return TEXT[run.status];
  }

  function render(run, now) {
    const final = FINAL.includes(run.status);
    const paused = run.paused === true;
    const started = run.startedAt ? Date.parse(run.startedAt) : null;
    const ended = run.endedAt ? Date.parse(run.endedAt) : null;
    const elapsedMs = started === null ? null : (ended ?? now) - started;
    let percent =
      run.total > 0 ? Math.min(100, Math.floor((run.processed / run.total) * 100)) : null;
    if (run.status === 'DONE') percent = 100;

    const badge = document.querySelector('[data-field="status"]');
    if (badge) badge.setAttribute('data-status', run.status);
    set('status', paused ? 'Paused' : LABELS[run.status] || run.status);
    set('statusText', paused ? 'Paused: waiting for you (see the notes below).' : statusText(run));
    const bar = document.querySelector('[data-field="progress"]');
    if (bar && percent !== null) bar.value = percent;
    set('percent', percent === null ? '…' : `${percent}%`);
    set('processed', count(run.processed));
    set('total', run.total > 0 ? `of ${count(run.total)}` : '(total not known yet)');
    set('remaining', run.total > 0 ? count(run.remaining) : 'Not known yet');
    set('elapsed', elapsedMs === null ? 'Not started yet' : duration(elapsedMs));
    set('eta', eta(run, final, paused, elapsedMs));
    set('trashed', count(run.trashed));
    set('bytes', bytes(run.bytesTrashed));
    set('freed', freed(run));
    set('protected', count(run.protected));
    set(
      'cost',
      run.llm.calls === 0
        ? final
          ? 'None (no OpenAI call)'
          : 'None so far'
        : `${usd(run.llm.costUsd)} (${count(run.llm.calls)} calls, estimated)`,
    );
    renderNotes(run.errors);
    // A review waiting for its owner is as far as the run goes by itself.
    return final || run.status === 'REVIEW';
  }

  function renderNotes(errors) {
    const list = document.querySelector('[data-field="notes"]');
    const last = errors[errors.length - 1];
    const version = `${errors.length}|${last ? last.at || '' : ''}`;
    if (!list || list.getAttribute('data-version') === version) return;
    list.setAttribute('data-version', version);
    list.replaceChildren(
      ...errors.map((e) => {
        const item = document.createElement('li');
        if (e.at) {
          const time = document.createElement('time');
          time.dateTime = e.at;
          const [day, hour] = [when(e.at).slice(0, 10), when(e.at).slice(11)];
          for (const [i, part] of [day, hour].entries()) {
            const span = document.createElement('span');
            span.className = 'nowrap';
            span.textContent = part;
            time.append(...(i === 0 ? [span, ' '] : [span]));
          }
          item.append(time, ' ');
        }
        const text = document.createElement('span');
        text.textContent = e.message;
        item.append(text);
        return item;
      }),
    );
  }

  async function poll() {
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(runId)}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (response.ok) {
        const serverNow = Date.parse(response.headers.get('date') || '');
        const final = render(
          await response.json(),
          Number.isNaN(serverNow) ? Date.now() : serverNow,
        );
        // One last reload shows what only the server renders for a finished run (its charts).
        if (final) return void window.location.reload();
      }
    } catch {
      // Offline for a moment: the next poll (or the meta refresh) catches up.
    }
    window.setTimeout(poll, POLL_MS);
  }
  window.setTimeout(poll, POLL_MS);
})();
