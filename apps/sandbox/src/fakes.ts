import type { FakeFactory } from './fake';
import { createAvitoFake } from './avito';
import { createOzonFake } from './ozon';
import { createWildberriesFake } from './wildberries';
import { createYandexMarketFake } from './yandex-market';

/** Every fake the sandbox serves. A new source adds its factory here. */
export const fakeFactories: FakeFactory[] = [createAvitoFake, createOzonFake, createWildberriesFake, createYandexMarketFake];
