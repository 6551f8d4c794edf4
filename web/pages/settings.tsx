import {
  cleanText,
  encodeUntrusted,
  PREFS_CLOSE,
  PREFS_OPEN,
} from '../../src/adapters/openai/prompt.js';
import type { Policy } from '../../src/domain/model.js';
import { MAX_INSTRUCTIONS } from '../../src/domain/settings.js';
import { formatUsd } from '../format.js';
import { Layout } from '../layout.js';

/** Fixed messages after a save (the query names one; nothing from it is echoed). */
export const SETTINGS_NOTICES: Readonly<Record<string, string>> = {
  saved: 'Settings saved. The next run decides with them.',
  resumed: 'Settings saved. Runs paused by the spend cap go on by themselves.',
  kept: 'Keep-list updated. The next run decides with it.',
};

export interface SettingsModel {
  readonly policy: Policy;
  readonly hasKey: boolean;
  /** Senders of the user's past runs that went to Trash and are not on the keep-list. */
  readonly offered: readonly string[];
  readonly monthSpendUsd: number;
  /** The form values as typed, when they were refused. */
  readonly typed?:
    | { readonly instructions: string; readonly minAgeDays: string; readonly monthlyCapUsd: string }
    | undefined;
}

function KeepList({ model }: { model: SettingsModel }) {
  const { keepSenders } = model.policy;
  return (
    <section class="card" aria-labelledby="keep-heading">
      <h2 id="keep-heading">Senders to keep</h2>
      <p>
        Mail from these addresses and domains is never moved to Trash, whatever the classifier says.
        A domain also covers its subdomains.
      </p>
      {keepSenders.length === 0 ? (
        <p class="muted">Your keep-list is empty.</p>
      ) : (
        <ul class="keep-list" data-testid="keep-list">
          {keepSenders.map((entry) => (
            <li>
              <span>{entry}</span>
              <form method="post" action="/app/settings/keep/remove" class="inline-form">
                <input type="hidden" name="sender" value={entry} />
                <button type="submit" class="link-button" aria-label={`Remove ${entry}`}>
                  Remove
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/app/settings/keep" class="stack">
        <label for="sender">Address or domain to keep</label>
        <input
          id="sender"
          name="sender"
          type="text"
          required
          placeholder="alerts@bank.example or bank.example"
        />
        <button type="submit" class="button">
          Add to keep-list
        </button>
      </form>
      {model.offered.length > 0 ? (
        <>
          <h3>Senders of your past runs</h3>
          <p class="muted">
            Their mail went to Trash. Keep one, and no later run trashes its mail.
          </p>
          <ul class="keep-list" data-testid="offered">
            {model.offered.map((sender) => (
              <li>
                <span>{sender}</span>
                <form method="post" action="/app/settings/keep" class="inline-form">
                  <input type="hidden" name="sender" value={sender} />
                  <button type="submit" class="link-button" aria-label={`Keep ${sender}`}>
                    Keep
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

const OUTCOMES: Readonly<Record<string, string>> = {
  unsubscribed: 'unsubscribed',
  refused: 'request refused for your safety',
  failed: 'the sender did not confirm',
  timeout: 'the sender did not answer',
  'link given': 'unsubscribe link given to you',
  'not offered': 'no unsubscribe offered',
};

function AlwaysTrashList({ model }: { model: SettingsModel }) {
  const entries = model.policy.alwaysTrash;
  return (
    <section class="card" aria-labelledby="always-heading">
      <h2 id="always-heading">Senders you unsubscribed from</h2>
      <p>
        Their new mail goes to Trash whatever the classifier says, unless a protection rule keeps it
        (starred, labelled, a thread you replied to, your keep-list).
      </p>
      {entries.length === 0 ? (
        <p class="muted">None yet: a run's page offers Unsubscribe for the senders it trashed.</p>
      ) : (
        <ul class="keep-list" data-testid="always-trash">
          {entries.map((e) => (
            <li>
              <span>
                {e.sender} <span class="muted">({OUTCOMES[e.unsubscribe] ?? e.unsubscribe})</span>
              </span>
              <form method="post" action="/app/settings/always-trash/remove" class="inline-form">
                <input type="hidden" name="sender" value={e.sender} />
                <button type="submit" class="link-button" aria-label={`Stop trashing ${e.sender}`}>
                  Stop trashing
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DecisionSettings({ model }: { model: SettingsModel }) {
  const { policy, typed } = model;
  const instructions = typed?.instructions ?? policy.instructions;
  return (
    <section class="card" aria-labelledby="decide-heading">
      <h2 id="decide-heading">How decisions are made</h2>
      <form method="post" action="/app/settings" class="stack">
        <label for="instructions">Instructions for the LLM, in your words</label>
        <textarea
          id="instructions"
          name="instructions"
          rows={4}
          maxlength={MAX_INSTRUCTIONS}
          aria-describedby="instructions-help"
        >
          {instructions}
        </textarea>
        <div id="instructions-help" class="note">
          <p>
            At most {MAX_INSTRUCTIONS} characters, for example "keep everything from my kids'
            school".{' '}
            {model.hasKey
              ? ''
              : 'They are used once you add an OpenAI key; the simple rules do not read them. '}
            Each request to the model carries them as your preference, after the fixed rules and
            before the mail it judges:
          </p>
          <pre class="prompt-preview">
            {`${PREFS_OPEN}\n${encodeUntrusted(cleanText(instructions, MAX_INSTRUCTIONS) || '(nothing yet)')}\n${PREFS_CLOSE}`}
          </pre>
          <p>
            The model follows them when they ask it to keep more. They can make it trash more only
            of clearly bulk mail, never correspondence, receipts, bills or account notices.
          </p>
        </div>
        <label for="minAgeDays">Minimum age before mail may go to Trash, in days</label>
        <input
          id="minAgeDays"
          name="minAgeDays"
          type="text"
          inputmode="numeric"
          required
          value={typed?.minAgeDays ?? String(policy.minAgeDays)}
        />
        <p class="note">
          Nothing younger than this goes to Trash, whatever the simple rules or the OpenAI model
          decide: such mail is kept, and a daily pass looks at it again once it is old enough.
          Senders you unsubscribed from are the one exception: their mail goes at any age.
        </p>
        <label for="monthlyCapUsd" id="spend-cap">
          Monthly OpenAI spend cap, in dollars
        </label>
        <input
          id="monthlyCapUsd"
          name="monthlyCapUsd"
          type="text"
          inputmode="decimal"
          value={
            typed?.monthlyCapUsd ??
            (policy.monthlyCapUsd === null ? '' : String(policy.monthlyCapUsd))
          }
          aria-describedby="cap-help"
        />
        <p class="note" id="cap-help">
          Empty for no cap. This month so far: {formatUsd(model.monthSpendUsd)} (estimated from
          OpenAI's prices). A run that would pass the cap pauses, losing nothing, until you raise
          it.
        </p>
        <button type="submit" class="button primary">
          Save settings
        </button>
      </form>
    </section>
  );
}

export function SettingsPage({
  model,
  notice,
  error,
}: {
  model: SettingsModel;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const message = notice ? SETTINGS_NOTICES[notice] : undefined;
  return (
    <Layout title="Settings" signedIn current="settings">
      <h1>Settings</h1>
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      {error ? (
        <div class="alert" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
      <KeepList model={model} />
      <AlwaysTrashList model={model} />
      <DecisionSettings model={model} />
    </Layout>
  );
}
