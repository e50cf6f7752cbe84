/**
 * The errors of connections. Each carries the HTTP status and stable `code` a client gets; the
 * gateway's error handler turns them into answers (no message here ever holds a credential).
 */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** DATASYNC_KEYS is malformed (start-up refuses it) or names a key that is not in it. */
export class KeyRingError extends ConnectionError {
  constructor(message: string) {
    super(message, 500, 'key_ring_invalid');
  }
}

/** No key ring is configured: credentials can be neither stored nor read. */
export class KeyRingMissing extends ConnectionError {
  constructor(action: string) {
    super(
      `${action} needs a key ring: set DATASYNC_KEYS to {"current":"<key id>","keys":{"<key id>":"<base64 of 32 random bytes>"}} (README "Connections"); credentials are never stored in clear`,
      503,
      'key_ring_missing',
    );
  }
}

/**
 * Sealed credentials that cannot be opened: tampered ciphertext, tag, IV or wrapped key, a master
 * key that is not the one they were wrapped with, or a key id missing from the ring. Never garbage.
 */
export class CredentialsUnreadable extends ConnectionError {
  constructor(
    message: string,
    readonly connectionId: string,
  ) {
    super(message, 500, 'credentials_unreadable');
  }
}

/** No connection with this id (never created, or deleted). */
export class ConnectionNotFound extends ConnectionError {
  constructor(readonly connectionId: string) {
    super(`connection ${connectionId} does not exist (deleted, or never created)`, 404, 'not_found');
  }
}

/** A connection of the same source already has this name. */
export class DuplicateConnectionName extends ConnectionError {
  constructor(
    readonly source: string,
    readonly connectionName: string,
  ) {
    super(`a ${source} connection named "${connectionName}" already exists`, 409, 'conflict');
  }
}
