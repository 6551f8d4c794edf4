import { type LabelKey, list } from './mailbox-vocabulary.js';

/**
 * Words for the mail people and spammers send, and the words the generator fills `{key}`
 * placeholders with (topics, cities, items, names, months, days). Invented, like the rest.
 */

export const TOPICS = list(`
  rust|gardening|photography|climate|cycling|machine learning|sourdough|chess|astronomy|
  home repair|kubernetes|budgeting|birdwatching|typescript|running`);
export const CITIES = list('Lisbon|Denver|Osaka|Nairobi|Toronto|Oslo|Lima|Seville|Hanoi|Perth');
export const ITEMS = list(`
  sneakers|rain jackets|desk lamps|cookware|backpacks|headphones|linen shirts|planters|
  board games|running socks`);
export const FIRST_NAMES = list(`
  Alex|Sam|Jordan|Priya|Mateo|Aisha|Chen|Olivia|Noah|Fatima|Liam|Sofia|Kenji|Amara|Lucas|Elena|
  Omar|Hannah|Diego|Mei|Ethan|Zara|Ivan|Grace|Ravi|Chloe|Tomas|Nadia|Ben|Yuki|Leo|Ingrid|Kwame|
  Rosa|Felix|Leila|Marco|Anya|Jamal|Clara|Hugo|Nora|Arjun|Maya|Oscar|Lena|Tariq|Julia|Pablo|Freya`);

/** How a correspondent knows the owner: what they write about and where the owner files it. */
export const PERSON_GROUPS = {
  family: {
    subjects: list(`
      Dinner on {day}? | Photos from the weekend | School trip form | Grandma's birthday |
      Flights for the holidays | Can you pick up {item}? | Recipe you asked for`),
    labels: ['family', 'kids'],
  },
  friend: {
    subjects: list(`
      Hiking this {day}? | Long time no see! | Concert tickets | Book recommendation |
      Photos from {city} | Game night | Birthday plans`),
    labels: [],
  },
  work: {
    subjects: list(`
      Q{q} planning | Notes from today's meeting | Draft proposal for review |
      Quick question about {topic} | Offsite in {city} | Interview feedback | Slides for {day}`),
    labels: ['work'],
  },
  other: {
    subjects: list(`
      Following up | Introduction: {friend} and {first} | Your appointment on {day} |
      Question about the apartment | Invoice for {month} | Thanks again!`),
    labels: ['receipts'],
  },
} as const satisfies Record<string, { subjects: readonly string[]; labels: readonly LabelKey[] }>;

export type PersonGroup = keyof typeof PERSON_GROUPS;

export const PERSON_SNIPPETS = list(`
  Hi {first}, hope you are well! Just checking whether {day} still works for you, let me know. |
  Hey {first}, attaching the files we talked about. Have a look and tell me what you think. |
  Hi {first}, thanks for yesterday. I wrote down a few notes about {topic}, happy to discuss. |
  {first}, quick one: can you send me the details for {city}? No rush, whenever you have time.`);
export const REPLY_SNIPPETS = list(`
  Sounds good, see you then! On {day}, {friend} wrote: Hi, just checking that this still works |
  Thanks, got it. I will take a look tonight and get back to you. On {day}, {friend} wrote: |
  Yes please! And could you bring the charger too? On {day}, {friend} wrote: Can you pick up |
  Perfect, thank you so much. Let me know if anything changes. On {day}, {friend} wrote:`);
export const PERSON_ATTACHMENTS = list(`
  IMG_{nnnn}.jpg|IMG_{nnnn}.HEIC|document.pdf|notes-{mm}-{n}.docx|photos-{city}.zip|
  scan-{nnnn}.pdf`);
export const SPAM_SUBJECTS = list(`
  You have won a \${amount} gift card!!!|URGENT: verify your account now|Re: your invoice {order}|
  Lose {n} pounds in {n} days|Final notice: claim your prize`);
export const SPAM_SNIPPET =
  'Dear customer, click the link below to claim your reward before it expires. Only for you.';
export const MONTHS = list(`
  January|February|March|April|May|June|July|August|September|October|November|December`);
export const DAYS = list('Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday');
