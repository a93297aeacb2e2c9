/** Which of the distinct `owners` `ownerIsDown` says are down: one question per owner, all at once. */
export async function ownersDown(
  owners: ReadonlyArray<string | undefined>,
  ownerIsDown?: (owner: string) => Promise<boolean>,
): Promise<ReadonlySet<string>> {
  if (!ownerIsDown) return new Set();
  const distinct = [...new Set(owners.filter((o): o is string => o !== undefined))];
  const answers = await Promise.all(distinct.map((o) => ownerIsDown(o).catch(() => false)));
  return new Set(distinct.filter((_, i) => answers[i]));
}
