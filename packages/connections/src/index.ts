export { listAudit, recordAudit, type Actor, type AuditAction, type AuditEvent, type AuditEventInput, type Queryable } from './audit';
export {
  credentialsSchemaFor,
  type ConnectionDeclaration,
  type CredentialsSchema,
  type EnvCredentials,
  type Probe,
  type ProbeInput,
  type ProbeResult,
  type SettingsSchema,
} from './declaration';
export { ENV_CONNECTION_ID, ENV_CONNECTION_NAME, envConnectionParts, type EnvConnectionPart } from './env-connection';
export { openCredentials, rewrapDataKey, sealCredentials, type SealedCredentials, type WrappedDataKey } from './envelope';
export {
  ConnectionError,
  ConnectionNotFound,
  CredentialsUnreadable,
  DuplicateConnectionName,
  KeyRingError,
  KeyRingMissing,
} from './errors';
export { MASTER_KEY_BYTES, masterKey, parseKeyRing, type KeyRing } from './key-ring';
export { peekConnection, resolveConnection, type ResolvedConnection } from './resolve';
export { rotateKeys, type RotationReport } from './rotate';
export { markConnectionState } from './state';
export {
  ConnectionInUse,
  ConnectionScheduled,
  createConnection,
  deleteConnection,
  getConnection,
  isConnectionId,
  listConnections,
  updateConnection,
  type Connection,
  type ConnectionChanges,
  type ConnectionState,
  type NewConnection,
} from './store';
export { baseUrlOf, probeRequest, type ProbeRequest } from './probe-http';
export { credential, requestRate, upstreamIds, upstreamUrl } from './settings';
export { createPushSecret, readPushSecret, rotatePushSecrets, samePushSecret } from './push-secret';
