import type { z } from 'zod';
import { userMessage } from './messages';

export interface FieldError {
  field: string;
  message: string;
}

/** An error with the HTTP status and stable code a client gets. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    /** The `status` text of the body; an older contract of a source fixes it to "bad request". */
    readonly statusText?: string,
  ) {
    super(message);
  }
}

export class InvalidRequestError extends ApiError {
  constructor(errors: FieldError[], message = 'The request is invalid') {
    super(400, 'invalid_request', message, errors, 'bad request');
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message, undefined, 'not found');
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(
      415,
      'unsupported_media_type',
      'The request body must be JSON, sent with Content-Type: application/json',
      undefined,
      'unsupported media type',
    );
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string) {
    super(503, 'service_unavailable', message, undefined, 'unavailable');
  }
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) =>
    // An unknown field is named itself, not its parent object.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [...i.path, key === '' ? '""' : key].join('.'), message: 'is not a known field' }))
      : [{ field: i.path.join('.') || '(request)', message: i.message }],
  );
}

/** Parses request input, with messages a user reads where the schema has none of its own. */
export function safeParseInput<T extends z.ZodType>(schema: T, value: unknown) {
  return schema.safeParse(value, { error: userMessage });
}

/** Parses with a zod schema or throws a 400 naming every bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = safeParseInput(schema, value);
  if (!parsed.success) throw new InvalidRequestError(fieldErrors(parsed.error));
  return parsed.data;
}

/** The body every error answers: `{status, error: {code, message}, errors?}`. */
export function errorBody(err: ApiError) {
  return {
    status: err.statusText ?? 'error',
    error: { code: err.code, message: err.message },
    ...(err.errors ? { errors: err.errors } : {}),
  };
}
