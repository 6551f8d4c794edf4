import { type Context, Hono } from 'hono';
import { type SettingsModel, SettingsPage } from '../../web/pages/settings.js';
import type { User } from '../domain/model.js';
import type { Clock, Store } from '../domain/ports.js';
import {
  keepEntrySchema,
  MAX_KEEP_ENTRIES,
  settingsFormSchema,
  withKeepEntry,
  withSettings,
} from '../domain/settings.js';
import { monthSpendUsd } from '../domain/spend-cap.js';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { resumePausedRuns } from '../jobs/paused-runs.js';
import type { AppEnv } from './env.js';
import { SenderSummaries } from './sender-summary.js';

/** How many of the latest runs the page reads (senders offered, this month's spend). */
const RECENT_RUNS = 100;

/**
 * `/app/settings`: the keep-list, the LLM instructions, the minimum age and the monthly spend
 * cap. Bad input is answered with the page and a plain-words error, and changes nothing.
 */
export function settingsRoutes(
  store: Store,
  jobs: JobDeps,
  clock: Clock,
  currentUser: (c: Context<AppEnv>) => Promise<User>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const summaries = new SenderSummaries(store);

  const model = async (user: User, typed?: SettingsModel['typed']): Promise<SettingsModel> => {
    const runs = await store.listRuns(user.id, RECENT_RUNS);
    const offered = new Set<string>();
    for (const run of runs.filter((r) => r.kind === 'full' && r.status === 'DONE').slice(0, 3)) {
      for (const share of await summaries.of(run)) {
        if (share.sender.includes('@') && !share.sender.includes(' ')) offered.add(share.sender);
      }
    }
    const kept = new Set(user.policy.keepSenders);
    return {
      policy: user.policy,
      hasKey: user.openAiKey !== null,
      offered: [...offered].filter((s) => !kept.has(s)),
      monthSpendUsd: monthSpendUsd(runs, clock.now()),
      typed,
    };
  };

  app.get('/', async (c) => {
    const user = await currentUser(c);
    return c.html(<SettingsPage model={await model(user)} notice={c.req.query('notice')} />);
  });

  app.post('/', async (c) => {
    const user = await currentUser(c);
    const form = await c.req.parseBody();
    const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    const typed = {
      instructions: text('instructions'),
      minAgeDays: text('minAgeDays'),
      monthlyCapUsd: text('monthlyCapUsd'),
    };
    const parsed = settingsFormSchema.safeParse(typed);
    if (!parsed.success) {
      const error = parsed.error.issues[0]?.message ?? 'Check the values and save again.';
      return c.html(<SettingsPage model={await model(user, typed)} error={error} />, 400);
    }
    const policy = withSettings(user.policy, parsed.data);
    if (policy !== user.policy) {
      await store.updateUser(user.id, { policy, updatedAt: clock.now() });
    }
    // A run paused by the cap goes on once the cap allows more (it pauses again if not).
    const raised =
      policy.monthlyCapUsd !== user.policy.monthlyCapUsd &&
      (await resumePausedRuns(jobs, user.id, 'spend_cap')) > 0;
    return c.redirect(`/app/settings?notice=${raised ? 'resumed' : 'saved'}`, 303);
  });

  app.post('/always-trash/remove', async (c) => {
    const user = await currentUser(c);
    const sender = (await c.req.parseBody()).sender;
    const kept = user.policy.alwaysTrash.filter((e) => e.sender !== sender);
    if (kept.length !== user.policy.alwaysTrash.length) {
      const policy = { ...user.policy, alwaysTrash: kept, version: user.policy.version + 1 };
      await store.updateUser(user.id, { policy, updatedAt: clock.now() });
    }
    return c.redirect('/app/settings?notice=kept', 303);
  });

  app.post('/keep', async (c) => changeKeepList(c, true));
  app.post('/keep/remove', async (c) => changeKeepList(c, false));

  async function changeKeepList(c: Context<AppEnv>, keep: boolean) {
    const user = await currentUser(c);
    const form = await c.req.parseBody();
    const raw = typeof form.sender === 'string' ? form.sender : '';
    // An entry stored as it is (an older spelling) is removed as it is.
    const stored = !keep && user.policy.keepSenders.includes(raw);
    const entry = stored ? ({ success: true, data: raw } as const) : keepEntrySchema.safeParse(raw);
    if (!entry.success) {
      const error = entry.error.issues[0]?.message ?? 'Enter an address or a domain.';
      return c.html(<SettingsPage model={await model(user)} error={error} />, 400);
    }
    if (keep && user.policy.keepSenders.length >= MAX_KEEP_ENTRIES) {
      throw new AppError('bad_request', `A keep-list holds at most ${MAX_KEEP_ENTRIES} entries.`);
    }
    const policy = withKeepEntry(user.policy, entry.data, keep);
    if (policy !== user.policy) {
      await store.updateUser(user.id, { policy, updatedAt: clock.now() });
    }
    return c.redirect('/app/settings?notice=kept', 303);
  }

  return app;
}
