export {
  assertDeliverable,
  errorSchema,
  notifyDoc,
  queryId,
  queryNotifyDoc,
  runIdSchema,
  runSchema,
  runStateSchema,
  submittedSchema,
  takeNotify,
  takeQueryNotify,
} from '@datasync/api-kit';
