import type { FakeFactory } from './fake';
import { createAvitoFake } from './avito';
import { createDatawizFake } from './datawiz';

/** Every fake the sandbox serves. A new source adds its factory here. */
export const fakeFactories: FakeFactory[] = [createAvitoFake, createDatawizFake];
