/**
 * Words the mailbox generator builds automated senders and their mail from; people's mail, spam
 * and the `{key}` fillers are in mailbox-personal-vocabulary.ts. Every company is invented and
 * every domain is reserved for examples (`.example`, example.com/.net/.org). `{key}`
 * placeholders are filled per message by the generator.
 */

export type BulkCategory =
  | 'CATEGORY_PROMOTIONS'
  | 'CATEGORY_SOCIAL'
  | 'CATEGORY_UPDATES'
  | 'CATEGORY_FORUMS';

/** Keys of the user labels a person files some mail under (see USER_LABELS). */
export type LabelKey = 'receipts' | 'travel' | 'family' | 'kids' | 'taxes' | 'work' | 'reading';

/** One kind of mail an automated sender sends, and how a person tends to treat it. */
export interface MailStream {
  readonly category: BulkCategory;
  readonly subjects: readonly string[];
  readonly snippets: readonly string[];
  readonly sizeKb: number;
  readonly unread: number;
  readonly important: number;
  readonly starred: number;
  readonly labels?: readonly LabelKey[];
  readonly labelRate?: number;
  readonly attachments?: readonly string[];
  readonly attachmentRate?: number;
  /** Share of messages the owner answers (support threads). */
  readonly replyRate?: number;
  /** Chance that a thread gets one more message (mailing-list discussions). */
  readonly threadGrowth?: number;
}

export interface SenderKind {
  readonly kind: string;
  /** How common senders of this kind are. */
  readonly weight: number;
  /** How much mail each sends, relatively: social networks a lot, security alerts little. */
  readonly volume: number;
  /** List mail carries List-Unsubscribe / List-Id; receipts and alerts do not. */
  readonly list: boolean;
  readonly suffixes: readonly string[];
  /** Local parts of the address; a forum's address is its list name instead. */
  readonly locals: readonly string[];
  /** Streams with their shares of the sender's mail; two streams make a mixed sender. */
  readonly streams: readonly (readonly [MailStream, number])[];
}

/** Vocabulary is written as `|`-separated text so that long lists stay compact. */
export const list = (text: string): string[] =>
  text
    .split('|')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const promo = (subjects: string, snippets: string, sizeKb = 45): MailStream => ({
  category: 'CATEGORY_PROMOTIONS',
  subjects: list(subjects),
  snippets: list(snippets),
  sizeKb,
  unread: 0.75,
  important: 0.02,
  starred: 0.005,
  labels: ['reading'],
  labelRate: 0.02,
});

const updates = (subjects: string, snippets: string, sizeKb: number): MailStream => ({
  category: 'CATEGORY_UPDATES',
  subjects: list(subjects),
  snippets: list(snippets),
  sizeKb,
  unread: 0.5,
  important: 0.12,
  starred: 0.012,
});

/** Transactional mail: read, kept, often important. */
const transactional = (subjects: string, snippets: string, sizeKb: number): MailStream => ({
  ...updates(subjects, snippets, sizeKb),
  unread: 0.15,
  important: 0.85,
  starred: 0.04,
});

const SHOP_PROMO = promo(
  `{pct}% off everything this weekend | New arrivals: {item} you will love |
   Last chance: free shipping ends tonight | {first}, your cart misses you |
   Our {month} sale starts now | Just dropped: the {item} collection |
   Members save an extra {pct}%`,
  `Shop the sale before it ends. Use code SAVE{n} at checkout. Exclusions apply, see details. |
   Hi {first}, we picked a few {item} just for you. Free returns on all orders over $50. |
   Top picks this week from {brand}. Prices drop on {n} styles until {day} midnight.`,
);

const STATEMENTS: MailStream = {
  ...transactional(
    `Your {month} statement is ready | Payment received, thank you |
     Security alert: new sign-in to your account |
     Your card ending in {nnnn} was charged \${amount} |
     Important changes to your account terms | Your {yyyy} tax documents are available`,
    `Dear {first}, your statement for the period ending {month} {n} is now available online. |
     We received your payment of \${amount}. Your next due date is {day}, {month} {n}. |
     We noticed a sign-in from a new device near {city}. If this was you, no action is needed.`,
    35,
  ),
  labels: ['taxes', 'receipts'],
  labelRate: 0.12,
  attachments: ['statement-{yyyy}-{mm}.pdf'],
  attachmentRate: 0.15,
};

const BOARDING: MailStream = {
  ...transactional(
    `Your boarding pass for flight {code} | Booking confirmation {code}: {city} |
     Check-in is now open for your trip to {city} | Your itinerary has changed |
     Receipt for your flight to {city}`,
    `Hi {first}, your trip to {city} is confirmed. Booking reference {code}. Seat {n}C. |
     Check in now to choose your seat. Flight {code} departs {day}; gates close 20 minutes before.`,
    45,
  ),
  important: 0.9,
  starred: 0.08,
  labels: ['travel'],
  labelRate: 0.25,
  attachments: ['boarding-pass-{code}.pdf', 'e-ticket-{code}.pdf'],
  attachmentRate: 0.2,
  replyRate: 0.01,
};

const ORDERS: MailStream = {
  ...transactional(
    `Your order #{order} has shipped | Order confirmation #{order} | Your receipt from {brand} |
     Delivered: {item} | Your return has been processed | Invoice for order #{order}`,
    `Thanks for your order, {first}! Order #{order} total \${amount}. It should arrive by {day}. |
     Your package was delivered. Order #{order}: {item}. Questions? Reply to this email.`,
    28,
  ),
  unread: 0.25,
  important: 0.5,
  starred: 0.02,
  labels: ['receipts'],
  labelRate: 0.15,
  attachments: ['invoice-{yyyy}-{mm}.pdf', 'receipt-{order}.pdf'],
  attachmentRate: 0.1,
  replyRate: 0.01,
};

const BILLS: MailStream = {
  ...transactional(
    `Your {month} bill is ready | We received your payment | Your plan renews on {day} |
     Scheduled maintenance in {city}`,
    `Hi {first}, your bill for {month} is \${amount}, due {day}. Autopay is on, no action needed.`,
    40,
  ),
  labels: ['receipts', 'taxes'],
  labelRate: 0.12,
  attachments: ['invoice-{yyyy}-{mm}.pdf'],
  attachmentRate: 0.25,
};

const NEWSLETTER: MailStream = {
  ...updates(
    `The {day} edition: {topic} and more | {n} things to know about {topic} | This week in {topic} |
     Why everyone is talking about {topic}`,
    `Good morning, {first}. Today: {topic}, a long read on {city}, and {n} links worth your time. |
     In this issue: what {topic} means for you, plus reader letters and a crossword.`,
    40,
  ),
  unread: 0.7,
  labels: ['reading'],
  labelRate: 0.03,
};

const SOCIAL: MailStream = {
  ...updates(
    `{friend} commented on your post | {friend} tagged you in a photo |
     You have {n} new notifications |
     {friend} sent you a friend request | See what {friend} and {n} others shared`,
    `{friend} commented: "Looks amazing! When are you back?" See the conversation on {brand}. |
     You have {n} new notifications and {n} messages waiting for you on {brand}.`,
    30,
  ),
  category: 'CATEGORY_SOCIAL',
  unread: 0.65,
  important: 0.02,
};

const APP_UPDATES = updates(
  `Your weekly summary | {friend} shared a document with you | Reminder: {topic} review on {day} |
   You are running out of storage | Your {month} activity report`,
  `Here is what happened in your workspace this week: {n} updates, {n} comments. |
   {friend} invited you to edit "{topic} notes". Open it in {brand}.`,
  14,
);

const FORUM: MailStream = {
  ...updates(
    `Question about {topic} | [ANN] {topic} {n}.0 released | Meetup in {city} on {day} |
     Help needed: {topic} setup | Lost cat near {city} park`,
    `Has anyone tried {topic} with the new release? I keep getting an error after the upgrade. |
     Reminder: our next meetup is {day} at 7pm. Bring a friend. Agenda: {topic}.`,
    9,
  ),
  category: 'CATEGORY_FORUMS',
  unread: 0.7,
  important: 0.05,
  threadGrowth: 0.55,
};

const SECURITY: MailStream = transactional(
  `Security alert for {first} | Your verification code is {nnnn} | Password changed |
   New sign-in from {city}`,
  `Your verification code is {nnnn}. It expires in 10 minutes. Never share it with anyone.`,
  8,
);

const BANK_PROMO = promo(
  'Earn {pct}x points on dining | Pre-approved: a card made for you | Save more with our account',
  'Apply today and earn a bonus of {n},000 points. Terms apply.',
  50,
);
const AIRLINE_PROMO = promo(
  'Fly to {city} from $199 | Double miles this {month} | Our summer schedule is here',
  'Escape to {city}: fares from $199 round trip. Book by {day}.',
  55,
);
const UTILITY_PROMO = promo(
  'Upgrade to the new phone today | Bundle and save {pct}%',
  'Switch your plan and save {amount} dollars a month. Offer ends {day}.',
  60,
);

/** What each kind of sender sends; two streams make a mixed sender. */
export const STREAMS: Record<string, SenderKind['streams']> = {
  shop: [[SHOP_PROMO, 1]],
  newsletter: [[NEWSLETTER, 1]],
  social: [[SOCIAL, 1]],
  notification: [[APP_UPDATES, 1]],
  forum: [[FORUM, 1]],
  bank: [
    [BANK_PROMO, 0.5],
    [STATEMENTS, 0.5],
  ],
  airline: [
    [AIRLINE_PROMO, 0.65],
    [BOARDING, 0.35],
  ],
  utility: [
    [UTILITY_PROMO, 0.45],
    [BILLS, 0.55],
  ],
  marketplace: [
    [SHOP_PROMO, 0.6],
    [ORDERS, 0.4],
  ],
  receipts: [[ORDERS, 1]],
  security: [[SECURITY, 1]],
};
