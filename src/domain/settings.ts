import { z } from 'zod';
import type { Policy } from './model.js';

/** The prompt keeps this much of the instructions (src/adapters/openai/prompt.ts). */
export const MAX_INSTRUCTIONS = 600;
export const MAX_KEEP_ENTRIES = 500;
export const MAX_MIN_AGE_DAYS = 3650;
export const MAX_MONTHLY_CAP_USD = 10_000;

const DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LOCAL_PART = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

/**
 * A keep-list entry as the owner types it: an address (`alerts@bank.example`) or a domain
 * (`bank.example` or `@bank.example`, which also covers its subdomains). Stored lowercased;
 * a domain always with its `@`.
 */
export const keepEntrySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'An address has at most 254 characters.')
  .transform((entry, ctx) => {
    const at = entry.lastIndexOf('@');
    const domain = entry.slice(at + 1);
    const local = at > 0 ? entry.slice(0, at) : '';
    if (!DOMAIN.test(domain) || (at > 0 && !LOCAL_PART.test(local))) {
      ctx.addIssue({
        code: 'custom',
        message: 'Enter an address (name@example.com) or a domain (example.com).',
      });
      return z.NEVER;
    }
    return at > 0 ? entry : `@${domain}`;
  });

/** Control and format characters (bidi, zero-width) have no place in plain words. */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The settings form: instructions, minimum age, monthly spend cap ('' for none). */
export const settingsFormSchema = z.object({
  instructions: z
    .string()
    .max(MAX_INSTRUCTIONS * 2)
    .transform((text) =>
      text
        .replace(/\r\n?/g, '\n')
        .replace(INVISIBLE, (c) => (c === '\n' ? c : ' '))
        .trim(),
    )
    .pipe(
      z.string().max(MAX_INSTRUCTIONS, `Instructions have at most ${MAX_INSTRUCTIONS} characters.`),
    ),
  minAgeDays: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, 'The minimum age is a whole number of days.')
    .transform(Number)
    .pipe(z.number().max(MAX_MIN_AGE_DAYS, `The minimum age is at most ${MAX_MIN_AGE_DAYS} days.`)),
  monthlyCapUsd: z
    .string()
    .trim()
    .transform((text) => text.replace(/^\$/, ''))
    .pipe(
      z.union([
        z.literal('').transform(() => null),
        z
          .string()
          .regex(/^\d{1,5}(\.\d{1,2})?$/, 'The spend cap is an amount in dollars, like 5 or 2.50.')
          .transform(Number)
          .pipe(
            z
              .number()
              .max(MAX_MONTHLY_CAP_USD, `The spend cap is at most $${MAX_MONTHLY_CAP_USD}.`),
          ),
      ]),
    ),
});

export type SettingsForm = z.infer<typeof settingsFormSchema>;

/**
 * The policy with the form's values. What decides (instructions, minimum age) bumps the
 * version, so cached sender decisions are made again; an unchanged form changes nothing.
 */
export function withSettings(policy: Policy, form: SettingsForm): Policy {
  const decides =
    form.instructions !== policy.instructions || form.minAgeDays !== policy.minAgeDays;
  if (!decides && form.monthlyCapUsd === policy.monthlyCapUsd) return policy;
  return {
    ...policy,
    instructions: form.instructions,
    minAgeDays: form.minAgeDays,
    monthlyCapUsd: form.monthlyCapUsd,
    version: decides ? policy.version + 1 : policy.version,
  };
}

/** The policy with `entry` added to or removed from the keep-list (a new version if it changed). */
export function withKeepEntry(policy: Policy, entry: string, keep: boolean): Policy {
  const present = policy.keepSenders.includes(entry);
  if (present === keep) return policy;
  const keepSenders = keep
    ? [...policy.keepSenders, entry]
    : policy.keepSenders.filter((e) => e !== entry);
  return { ...policy, keepSenders, version: policy.version + 1 };
}
