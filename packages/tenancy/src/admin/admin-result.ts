/** What an admin operation answers: the value, or why not in terms an API maps to a status. */
export type AdminResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: 'not_found' | 'conflict' | 'bad_request' | 'forbidden'; readonly message: string };

export const ok = <T>(value: T): AdminResult<T> => ({ ok: true, value });
export const fail = <T>(error: 'not_found' | 'conflict' | 'bad_request' | 'forbidden', message: string): AdminResult<T> => ({ ok: false, error, message });
