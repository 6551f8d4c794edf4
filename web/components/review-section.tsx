import type { PlanSender, ReviewPlan } from '../../src/domain/review-plan.js';
import { formatBytes, formatCount, plural } from '../format.js';
import { When } from './when.js';

function SenderRow({ sender, index }: { sender: PlanSender; index: number }) {
  const name = sender.address || 'Senders not known';
  const id = `keep-${index}`;
  return (
    <tr data-sender={sender.key}>
      <td class="keep-cell">
        <input type="checkbox" id={id} name="keep" value={sender.key} />
      </td>
      <td data-label="Sender">
        <label for={id}>{name}</label>
        {sender.subjects.length > 0 ? (
          <ul class="subjects">
            {sender.subjects.map((s) => (
              <li>{s}</li>
            ))}
          </ul>
        ) : null}
      </td>
      <td class="num" data-label="Messages">
        {formatCount(sender.messages)}
      </td>
      <td class="num" data-label="Size">
        {sender.bytesEstimated ? `about ${formatBytes(sender.bytes)}` : formatBytes(sender.bytes)}
      </td>
      <td data-label="Why">
        {sender.reason}
        {sender.address ? (
          <>
            {' '}
            <button
              type="submit"
              class="link-button"
              form={`unsubscribe-${index}`}
              aria-label={`Unsubscribe from ${sender.address}`}
            >
              Unsubscribe
            </button>
          </>
        ) : null}
      </td>
    </tr>
  );
}

function Reasons({ reasons }: { reasons: Record<string, number> }) {
  const entries = Object.entries(reasons);
  if (entries.length === 0) return null;
  return (
    <ul class="reasons">
      {entries.map(([reason, n]) => (
        <li>
          {reason}: {formatCount(n)}
        </li>
      ))}
    </ul>
  );
}

/**
 * A review run's proposal: what would go to Trash, by sender, largest first, each with a box
 * to keep it; then what stays, by kind. Nothing moves until the owner applies it.
 */
export function ReviewSection({
  runId,
  plan,
  expiresAt,
}: {
  runId: string;
  plan: ReviewPlan;
  expiresAt: number;
}) {
  const estimated = plan.senders.some((s) => s.bytesEstimated);
  return (
    <>
      <section class="card" aria-labelledby="review-heading">
        <h2 id="review-heading">Review before Trash</h2>
        <p>
          Every message is decided and nothing has moved yet.{' '}
          <strong>
            {plural(plan.trash.messages, 'message')} ({estimated ? 'about ' : ''}
            {formatBytes(plan.trash.bytes)}) from {plural(plan.senders.length, 'sender')}
          </strong>{' '}
          would go to Trash, where Gmail keeps them for 30 days. Tick the senders to keep: their
          mail stays where it is and they join your keep-list, so no later run trashes them either.
        </p>
        <p class="muted">
          If you do not apply it, this review expires on <When at={expiresAt} /> and nothing is
          moved. {estimated ? 'Sizes marked "about" are averaged from the messages read.' : ''}
        </p>
        {plan.senders.length === 0 ? <p>Nothing to move to Trash.</p> : null}
        <form method="post" action={`/app/runs/${runId}/apply`}>
          {plan.senders.length > 0 ? (
            <div class="table-scroll">
              <table class="runs review" data-testid="proposal">
                <caption class="visually-hidden">
                  Senders whose mail would go to Trash, largest first
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Keep</th>
                    <th scope="col">Sender</th>
                    <th scope="col" class="num">
                      Messages
                    </th>
                    <th scope="col" class="num">
                      Size
                    </th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.senders.map((sender, index) => (
                    <SenderRow sender={sender} index={index} />
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <button type="submit" class="button primary">
            {plan.senders.length > 0 ? 'Keep the ticked senders, trash the rest' : 'Finish'}
          </button>
        </form>
        {/* Forms cannot nest: each row's Unsubscribe button submits one of these. */}
        {plan.senders.map((sender, index) =>
          sender.address ? (
            <form
              id={`unsubscribe-${index}`}
              method="post"
              action={`/app/runs/${runId}/unsubscribe`}
              hidden
            >
              <input type="hidden" name="sender" value={sender.key} />
            </form>
          ) : null,
        )}
      </section>
      <section class="card" aria-labelledby="stays-heading">
        <h2 id="stays-heading">What stays, by kind</h2>
        <dl class="figures">
          <div>
            <dt>Protected by a rule</dt>
            <dd data-kind="protected">{formatCount(plan.kinds.protected.messages)}</dd>
          </div>
          <div>
            <dt>Kept by the classifier</dt>
            <dd data-kind="kept">{formatCount(plan.kinds.kept.messages)}</dd>
          </div>
          <div>
            <dt>Gone or not decided</dt>
            <dd data-kind="other">{formatCount(plan.kinds.other.messages)}</dd>
          </div>
        </dl>
        <h3>Why protected</h3>
        <Reasons reasons={plan.kinds.protected.reasons} />
        <h3>Why kept</h3>
        <Reasons reasons={plan.kinds.kept.reasons} />
      </section>
    </>
  );
}
