import { Faker, ru, en, base } from '@faker-js/faker';

/** A small seeded generator for fault probabilities; data generation uses `seededFaker`. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Faker with Russian data, seeded so every start of the sandbox serves the same rows. */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [ru, en, base] });
  faker.seed(seed);
  return faker;
}
