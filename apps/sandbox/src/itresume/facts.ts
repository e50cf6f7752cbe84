import { ALL_DEFECTS, dateOfMicros, type Attempt, type Defect } from './data';

/** Hand-checkable numbers for one UTC day, counting only well-formed items. */
export interface DayFacts {
  date: string;
  /** Well-formed attempts. */
  attempts: number;
  /** Submits with is_correct = 1 (or true). */
  correct: number;
  /** Submits with is_correct = 0 (or false). */
  incorrect: number;
  uniqueUsers: number;
  run: number;
  submit: number;
  /** Items of that day the endpoint serves, well-formed or not. */
  served: number;
  malformed: { total: number; byKind: Record<Defect, number> };
}

/**
 * Daily facts computed straight from the fake's records (the truth), not from the items the
 * endpoint writes, so a test comparing a consumer's aggregates with them checks the whole chain.
 */
export function dailyFacts(attempts: Attempt[]): DayFacts[] {
  const days = new Map<string, DayFacts & { users: Set<string> }>();
  for (const a of attempts) {
    const date = dateOfMicros(a.atMicros);
    let day = days.get(date);
    if (!day) {
      day = {
        date,
        attempts: 0,
        correct: 0,
        incorrect: 0,
        uniqueUsers: 0,
        run: 0,
        submit: 0,
        served: 0,
        malformed: { total: 0, byKind: Object.fromEntries(ALL_DEFECTS.map((d) => [d, 0])) as Record<Defect, number> },
        users: new Set(),
      };
      days.set(date, day);
    }
    day.served += 1;
    if (a.defect) {
      day.malformed.total += 1;
      day.malformed.byKind[a.defect] += 1;
      continue;
    }
    day.attempts += 1;
    day.users.add(a.userId);
    if (a.type === 'run') day.run += 1;
    else day.submit += 1;
    if (a.correct === true) day.correct += 1;
    if (a.correct === false) day.incorrect += 1;
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date)).map(({ users, ...day }) => ({ ...day, uniqueUsers: users.size }));
}
