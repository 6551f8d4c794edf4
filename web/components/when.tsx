import { formatWhen } from '../format.js';

/** A moment as "2026-05-12 14:03 UTC"; a narrow column breaks it only between date and time. */
export function When({ at }: { at: number | string }) {
  const text = formatWhen(at);
  return (
    <time datetime={new Date(at).toISOString()}>
      <span class="nowrap">{text.slice(0, 10)}</span> <span class="nowrap">{text.slice(11)}</span>
    </time>
  );
}
