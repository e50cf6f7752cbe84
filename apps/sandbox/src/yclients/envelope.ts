import type { Response } from 'express';

/** Russian error texts: documented ones (§2.5) and, where the reference has none, assumed ones. */
export const MESSAGES = {
  noAuth: 'Необходима авторизация', // assumed
  badPartner: 'Неверный токен партнера', // assumed
  badUser: 'Неверный токен пользователя', // assumed
  badLogin: 'Неверный логин или пароль', // assumed
  rateLimited: 'Превышен лимит запросов', // assumed
  noCompany: 'Не указан филиал.',
  companyNotFound: 'Филиал не найден.',
  forbidden: 'Недостаточно прав',
  staffNotFound: 'Сотрудник не найден.',
  serviceNotFound: 'Услуга не найдена.',
  categoryNotFound: 'Категория не найдена.',
  notFound: 'Не найдено',
  badFilter: 'Недопустимое значение фильтра',
  badFilterState: 'Недопустимое значение состояния фильтра',
  badParameter: 'Недопустимое значение параметра', // assumed
} as const;

/** The v2 envelope. `meta` is `[]` when there is nothing to say (§2.4). */
export function ok(res: Response, data: unknown, meta: unknown = [], status = 200): void {
  res.status(status).json({ success: true, data, meta });
}

export function fail(res: Response, status: number, message: string, errors?: Record<string, string[]>): void {
  res.status(status).json({ success: false, data: null, meta: errors ? { message, errors } : { message } });
}
