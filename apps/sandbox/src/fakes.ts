import type { FakeFactory } from './fake';
import { createAvitoFake } from './avito';
import { createGoogleSheetsFake } from './google-sheets';
import { createItResumeFake } from './itresume';

/** Every fake the sandbox serves. A new source adds its factory here. */
export const fakeFactories: FakeFactory[] = [createAvitoFake, createItResumeFake, createGoogleSheetsFake];
