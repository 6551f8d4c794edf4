/**
 * Answers by id. Ids the request did not carry are simply never looked up; an id answered
 * twice with different actions gets `conflict` (the cautious choice).
 */
export function answersById<A extends { id: string; action: string }>(
  answers: readonly A[],
  conflict: A['action'],
): Map<string, A> {
  const byId = new Map<string, A>();
  for (const answer of answers) {
    const earlier = byId.get(answer.id);
    if (!earlier) byId.set(answer.id, answer);
    else if (earlier.action !== answer.action) {
      byId.set(answer.id, { ...earlier, action: conflict, reason: 'conflicting answers' });
    }
  }
  return byId;
}

/** Room for the answer (about 40 tokens an item) and a little reasoning. */
export function outputBudget(items: number): number {
  return 2_000 + 60 * items;
}
