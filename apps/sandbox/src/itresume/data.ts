import type { Faker } from '@faker-js/faker';

/** The ways a seeded item is broken on the wire. A consumer must skip (and count) these. */
export const DEFECTS = [
  'passback_null', // passback_params: null
  'passback_unparsable', // passback_params cut off mid-literal
  'missing_user_id', // no lti_user_id key at all
  'bad_user_id', // lti_user_id is a number
  'bad_is_correct', // is_correct is the string "1"
  'submit_null_correct', // a submit with is_correct: null
  'run_with_correct', // a run with is_correct: 0/1
  'user_mismatch', // lis_result_sourcedid ends with another user's id
] as const;
/**
 * Defects served only when a test asks (POST /_control/attempts `defect`), never seeded:
 * `impossible_date`: created_at names a day its month does not have (`2026-04-31 10:00:00`), which
 * JavaScript's Date.parse accepts and PostgreSQL refuses.
 */
export const REQUESTED_DEFECTS = ['impossible_date'] as const;
export const ALL_DEFECTS = [...DEFECTS, ...REQUESTED_DEFECTS] as const;
export type Defect = (typeof ALL_DEFECTS)[number];

/**
 * One grader attempt as the fake knows it (the truth), before it is written in the API's shape.
 * Facts for tests are computed from these records, never from the wire items.
 */
export interface Attempt {
  userId: string;
  /** `course-v1:<Org>+<Course>+<Run>` */
  courseKey: string;
  lmsHost: string;
  /** 32-hex block id of the task. */
  taskId: string;
  oauthConsumerKey: string;
  type: 'run' | 'submit';
  /** null for runs. */
  correct: boolean | null;
  /** Microseconds since the epoch, UTC. */
  atMicros: number;
  /** Wire variants that are still well-formed. */
  booleanCorrect: boolean;
  defect: Defect | null;
  /** For `user_mismatch`: the id written into lis_result_sourcedid. */
  otherUserId?: string;
}

export interface Course {
  key: string;
  lmsHost: string;
  oauthConsumerKey: string;
  tasks: string[];
}

/** First seeded day (UTC) and how many days carry attempts. */
export const FIRST_DAY = '2026-04-01';
export const DAY_COUNT = 10;
/** Share of seeded items that are malformed (rounded per day, at least one a day). */
export const MALFORMED_SHARE = 0.04;
/** Share of well-formed submits whose is_correct is written as true/false instead of 1/0. */
const BOOLEAN_CORRECT_SHARE = 0.03;
/** Share of well-formed items whose created_at has zero microseconds (written without a fraction). */
const WHOLE_SECOND_SHARE = 0.01;

const DAY_MICROS = 86_400_000_000;
export const dayStartMicros = (date: string): number => Date.parse(`${date}T00:00:00Z`) * 1000;
export const dateOfMicros = (micros: number): string => new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);

const hex32 = (f: Faker) => f.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' });

export function generateCourses(f: Faker): Course[] {
  const specs = [
    { key: 'course-v1:Sandbox+DE-101+2026_T1', host: 'lms.sandboxschool.ru', consumer: '', tasks: 14 },
    { key: 'course-v1:Sandbox+SQL-2.0+01APR2026', host: 'lms.sandboxschool.ru', consumer: '', tasks: 9 },
    { key: 'course-v1:Sandbox+PY-BASE+2025_FALL', host: 'apps.learn.sandboxschool.ru', consumer: 'sandbox-lti', tasks: 6 },
  ];
  return specs.map((s) => ({
    key: s.key,
    lmsHost: s.host,
    oauthConsumerKey: s.consumer,
    tasks: Array.from({ length: s.tasks }, () => hex32(f)),
  }));
}

/** A students' population: each user follows one course. */
export function generateUsers(f: Faker, courses: Course[], count = 90): { id: string; course: Course }[] {
  return Array.from({ length: count }, () => ({ id: hex32(f), course: f.helpers.arrayElement(courses) }));
}

/** Attempts of one UTC day: a few hundred, the same students many times, a known share broken. */
export function generateDay(
  f: Faker,
  date: string,
  users: { id: string; course: Course }[],
  count = f.number.int({ min: 180, max: 420 }),
  withDefects = true,
): Attempt[] {
  const start = dayStartMicros(date);
  const active = f.helpers.arrayElements(users, f.number.int({ min: Math.min(25, users.length), max: Math.min(60, users.length) }));
  const attempts: Attempt[] = [];
  for (let i = 0; i < count; i++) {
    // Some students are much busier than others.
    const user = active[Math.floor(active.length * f.number.float({ min: 0, max: 1 }) ** 2)] ?? active[0]!;
    const type = f.datatype.boolean({ probability: 0.6 }) ? 'run' : 'submit';
    let atMicros = start + f.number.int({ min: 0, max: DAY_MICROS - 1 });
    if (f.datatype.boolean({ probability: WHOLE_SECOND_SHARE })) atMicros -= atMicros % 1_000_000;
    attempts.push({
      userId: user.id,
      courseKey: user.course.key,
      lmsHost: user.course.lmsHost,
      taskId: f.helpers.arrayElement(user.course.tasks),
      oauthConsumerKey: user.course.oauthConsumerKey,
      type,
      correct: type === 'run' ? null : f.datatype.boolean({ probability: 0.45 }),
      atMicros,
      booleanCorrect: type === 'submit' && f.datatype.boolean({ probability: BOOLEAN_CORRECT_SHARE }),
      defect: null,
    });
  }
  if (withDefects && attempts.length > 0) {
    const broken = Math.max(1, Math.round(attempts.length * MALFORMED_SHARE));
    const offset = f.number.int({ min: 0, max: DEFECTS.length - 1 });
    f.helpers
      .shuffle(attempts.map((_, i) => i))
      .slice(0, broken)
      .forEach((index, k) => {
        const a = attempts[index]!;
        a.defect = DEFECTS[(offset + k) % DEFECTS.length]!;
        a.booleanCorrect = false;
        if (a.defect === 'user_mismatch') a.otherUserId = hex32(f);
        // Keep the truth consistent with what the defect claims.
        if (a.defect === 'submit_null_correct') {
          a.type = 'submit';
          a.correct = null;
        }
        if (a.defect === 'run_with_correct') {
          a.type = 'run';
          a.correct = f.datatype.boolean();
        }
        if (a.defect === 'bad_is_correct') {
          a.type = 'submit';
          a.correct = true;
        }
      });
  }
  return attempts.sort((a, b) => a.atMicros - b.atMicros);
}

/** The seeded world: DAY_COUNT consecutive days of attempts starting at FIRST_DAY. */
export function generateItResumeData(f: Faker): { courses: Course[]; users: { id: string; course: Course }[]; attempts: Attempt[] } {
  const courses = generateCourses(f);
  const users = generateUsers(f, courses);
  const attempts: Attempt[] = [];
  for (let d = 0; d < DAY_COUNT; d++) {
    attempts.push(...generateDay(f, dateOfMicros(dayStartMicros(FIRST_DAY) + d * DAY_MICROS), users));
  }
  return { courses, users, attempts };
}
