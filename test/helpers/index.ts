// The kit (client, launcher, run waiter, comparator, databases, sandbox) and the helpers only these tests use.
export * from '@datasync/testkit';
export * from '@datasync/testkit/vitest';
export * from './redis';
export * from './proxy';
