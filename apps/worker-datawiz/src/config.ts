import { z } from 'zod';
import { optionalString } from '@datasync/config';
import type { SourceConfig } from '@datasync/runs';

/** Datawiz's environment variables (its worker's and the gateway's promotions route). */
export const datawizConfig = z.object({
  DATAWIZ_BASE_URL: z.string().url().default('http://127.0.0.1:4010/datawiz'),
  /** OAuth2 password grant (secrets: never logged, never in job payloads or run params). */
  DATAWIZ_CLIENT_ID: optionalString,
  DATAWIZ_CLIENT_SECRET: optionalString,
  DATAWIZ_USERNAME: optionalString,
  DATAWIZ_PASSWORD: optionalString,
  /** Rows per list page (the API caps page_size at 1000). */
  DATAWIZ_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});
export type DatawizConfig = SourceConfig<typeof datawizConfig>;
