import type { FakeFactory } from './fake';
import { createAvitoFake } from './avito';
import { createYclientsFake } from './yclients';
import { createOzonFake } from './ozon';
import { createWildberriesFake } from './wildberries';
import { createYandexMarketFake } from './yandex-market';
import { createDatawizFake } from './datawiz';
import { createItResumeFake } from './itresume';
import { createGoogleSheetsFake } from './google-sheets';

/** Every fake the sandbox serves. A new source adds its factory here. */
export const fakeFactories: FakeFactory[] = [
  createAvitoFake,
  createYclientsFake,
  createOzonFake,
  createWildberriesFake,
  createYandexMarketFake,
  createDatawizFake,
  createItResumeFake,
  createGoogleSheetsFake,
];
